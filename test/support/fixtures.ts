/**
 * Provider response fixtures: the project's own small hand-written ones (test/fixtures/providers, also replayed by
 * the quickstart demo) and the real recordings in ../shared/fixtures/providers (read in place, never copied).
 * Both use the same layout: `<provider>/<name>.json|.sse` plus a `<name>.meta.json` sidecar.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProviderReply } from './provider-server.js';
import { sseChunks } from './provider-server.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const projectFixturesDir = join(repoRoot, 'test/fixtures/providers');

/** Where the shared recordings are: `LLM_COST_SHARED_FIXTURES`, else `<repo>/../shared/fixtures/providers`. */
export function sharedFixturesDir(): string {
  return process.env.LLM_COST_SHARED_FIXTURES ?? resolve(repoRoot, '../shared/fixtures/providers');
}

export function sharedFixturesAvailable(): boolean {
  return existsSync(join(sharedFixturesDir(), 'README.md'));
}

/** Printed by suites over the shared recordings when the folder is absent. */
export function sharedFixturesMissingMessage(suite: string): string {
  return (
    `${suite}: NOT RUN — the shared provider recordings were not found at ${sharedFixturesDir()}. ` +
    'Set LLM_COST_SHARED_FIXTURES to their folder (CI always has them).'
  );
}

export interface FixtureMeta {
  provider: string;
  method: string;
  url_host?: string;
  url_path: string;
  url_query?: string;
  request?: { model?: string; stream?: boolean; stream_options?: unknown };
  request_model_in_url?: string;
  status: number | null;
  response_content_type: string;
  stream: boolean;
  /** Shared recordings: the usage objects copied from the body (one, or the first and last stream events). */
  observed_usage?: { path: string; value: unknown } | { data_event_index: number; path: string; value: unknown }[];
  /** Project fixtures: what the span must show. */
  expected?: {
    usage?: Record<string, number>;
    responseModel?: string;
    responseId?: string;
    finishReasons?: string[];
    providerReportedCost?: string;
  };
  [key: string]: unknown;
}

export interface Fixture {
  /** `<provider>/<name>` */
  id: string;
  provider: string;
  name: string;
  file: string;
  meta: FixtureMeta;
  body: Buffer;
}

function loadDir(root: string, providers?: readonly string[]): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const provider of readdirSync(root, { withFileTypes: true })) {
    if (!provider.isDirectory()) continue;
    if (providers !== undefined && !providers.includes(provider.name)) continue;
    const dir = join(root, provider.name);
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.meta.json') || !(file.endsWith('.json') || file.endsWith('.sse'))) continue;
      const name = file.replace(/\.(json|sse)$/, '');
      const metaFile = join(dir, `${name}.meta.json`);
      if (!existsSync(metaFile)) continue;
      fixtures.push({
        id: `${provider.name}/${name}`,
        provider: provider.name,
        name,
        file: join(dir, file),
        meta: JSON.parse(readFileSync(metaFile, 'utf8')) as FixtureMeta,
        body: readFileSync(join(dir, file)),
      });
    }
  }
  return fixtures;
}

/** The shared recordings of the given provider folders (all when omitted). */
export function sharedFixtures(providers?: readonly string[]): Fixture[] {
  return loadDir(sharedFixturesDir(), providers);
}

/** The project's own fixtures. */
export function projectFixtures(providers?: readonly string[]): Fixture[] {
  return loadDir(projectFixturesDir, providers);
}

export function projectFixture(id: string): Fixture {
  const fixture = projectFixtures().find((f) => f.id === id);
  if (fixture === undefined) throw new Error(`no project fixture ${id}`);
  return fixture;
}

/** The HTTP status a fixture was recorded with (an unrecorded status falls back to the body's error code). */
export function fixtureStatus(fixture: Fixture): number {
  if (typeof fixture.meta.status === 'number') return fixture.meta.status;
  try {
    const code = (JSON.parse(fixture.body.toString('utf8')) as { error?: { code?: unknown } }).error?.code;
    if (typeof code === 'number' && code >= 100 && code < 600) return code;
  } catch {
    // not JSON
  }
  return 500;
}

/** The reply that replays a fixture: its status and content type, SSE bodies one event per chunk. */
export function fixtureReply(fixture: Fixture, overrides: Partial<ProviderReply> = {}): ProviderReply {
  const sse = fixture.file.endsWith('.sse');
  const headers = {
    'content-type': fixture.meta.response_content_type ?? (sse ? 'text/event-stream' : 'application/json'),
  };
  if (sse) {
    return { status: fixtureStatus(fixture), headers, chunks: sseChunks(fixture.body.toString('utf8')), ...overrides };
  }
  return { status: fixtureStatus(fixture), headers, body: fixture.body, ...overrides };
}

/** The request path (with query) a fixture was recorded at. */
export function fixturePath(fixture: Fixture): string {
  return fixture.meta.url_query ? `${fixture.meta.url_path}?${fixture.meta.url_query}` : fixture.meta.url_path;
}

/** A JSON request body like the recorded one (model, stream, stream_options), with a prompt. */
export function fixtureRequestBody(fixture: Fixture, prompt = 'hello'): string {
  const request = fixture.meta.request ?? {};
  const body: Record<string, unknown> = {};
  if (request.model !== undefined) body.model = request.model;
  if (fixture.provider === 'gemini') {
    body.contents = [{ role: 'user', parts: [{ text: prompt }] }];
  } else {
    body.messages = [{ role: 'user', content: prompt }];
  }
  if (request.stream !== undefined) body.stream = request.stream;
  if (request.stream_options !== undefined) body.stream_options = request.stream_options;
  return JSON.stringify(body);
}
