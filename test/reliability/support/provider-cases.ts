/**
 * Every provider module the instrumentation covers, each with the response bodies it is fed in the reliability
 * suites: the real recordings in ../shared/fixtures/providers (when present) and the project's own fixtures, replayed
 * at the path they were recorded at. Providers without recordings of their own (Fireworks, Perplexity, Vertex AI, a
 * custom OpenAI-compatible gateway) replay another provider's bodies of the same API shape under their own paths.
 */
import {
  fixturePath,
  fixtureRequestBody,
  fixtureStatus,
  projectFixtures,
  sharedFixtures,
  sharedFixturesAvailable,
  type Fixture,
} from '../../support/index.js';

export interface ProviderCase {
  /** `<provider>/<fixture>` */
  id: string;
  /** Key of the loopback server (one per provider module). */
  server: string;
  /** Path and query the request goes to. */
  path: string;
  /** The request body (model, stream flag, a prompt). */
  requestBody: string;
  status: number;
  contentType: string;
  stream: boolean;
  body: Buffer;
}

/** Provider module → the name given in the instrumentation's `hosts` option. */
export const HOSTS_NAME: Record<string, string> = {
  openai: 'openai',
  'azure-openai': 'azure',
  anthropic: 'anthropic',
  gemini: 'gemini',
  vertex: 'vertex',
  openrouter: 'openrouter',
  xai: 'xai',
  deepseek: 'deepseek',
  mistral: 'mistral',
  groq: 'groq',
  together: 'together',
  fireworks: 'fireworks',
  perplexity: 'perplexity',
  gateway: 'acme_gateway',
};

/** Providers replaying another provider's recordings, and how their paths differ. */
const BORROWED: Record<string, { from: string; path: (original: string) => string }> = {
  fireworks: { from: 'openai', path: (p) => `/inference${p}` },
  perplexity: { from: 'openai', path: (p) => p.replace(/^\/v1/, '') },
  gateway: { from: 'openai', path: (p) => `/llm-gateway${p}` },
  vertex: {
    from: 'gemini',
    path: (p) => p.replace(/^\/v1beta\/models\//, '/v1/projects/p/locations/us-central1/publishers/google/models/'),
  },
};

function toCase(server: string, fixture: Fixture, mapPath: (p: string) => string = (p) => p): ProviderCase {
  const path = fixturePath(fixture);
  return {
    id: `${server}/${fixture.name}`,
    server,
    path: mapPath(path),
    requestBody: fixtureRequestBody(fixture),
    status: fixtureStatus(fixture),
    contentType: fixture.meta.response_content_type ?? (fixture.meta.stream ? 'text/event-stream' : 'application/json'),
    stream: fixture.meta.stream,
    body: fixture.body,
  };
}

/** Every (provider module, recorded body) pair; POST endpoints only (account endpoints are not LLM calls). */
export function providerCases(): ProviderCase[] {
  const fixtures = [...projectFixtures(), ...(sharedFixturesAvailable() ? sharedFixtures() : [])].filter(
    (f) => f.meta.method === 'POST' && f.provider !== 'bedrock',
  );
  const cases: ProviderCase[] = [];
  for (const fixture of fixtures) {
    if (HOSTS_NAME[fixture.provider] === undefined) continue;
    cases.push(toCase(fixture.provider, fixture));
  }
  for (const [server, { from, path }] of Object.entries(BORROWED)) {
    for (const fixture of fixtures.filter((f) => f.provider === from)) cases.push(toCase(server, fixture, path));
  }
  return cases;
}
