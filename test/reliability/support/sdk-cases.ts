/**
 * The real SDKs (`openai` including `AzureOpenAI`, `@anthropic-ai/sdk`, `@google/genai`) calling each provider module
 * they can reach, each call reduced to a comparable outcome: what the application got (the parsed result, or every
 * stream event) or the error it saw. `openai` is pointed at every OpenAI-compatible provider through `baseURL`.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI, { AzureOpenAI } from 'openai';
import type { ProviderCase } from './provider-cases.js';

export type SdkOperation =
  | 'openai.chat'
  | 'openai.chat-stream'
  | 'openai.responses'
  | 'openai.responses-stream'
  | 'openai.embeddings'
  | 'openai.completions'
  | 'anthropic.messages'
  | 'anthropic.messages-stream'
  | 'genai.generate'
  | 'genai.generate-stream';

export interface SdkCase {
  id: string;
  operation: SdkOperation;
  /** The recorded body it is fed (its server, status and content type). */
  recorded: ProviderCase;
  /** Base URL path under the server (`/v1`, `/api/v1`, `/openai/v1`, ...), for `openai`. */
  basePath: string;
  model: string;
}

const OPENAI_ENDPOINTS: Array<[RegExp, 'chat' | 'responses' | 'embeddings' | 'completions']> = [
  [/\/chat\/completions$/, 'chat'],
  [/\/responses$/, 'responses'],
  [/\/embeddings$/, 'embeddings'],
  [/\/completions$/, 'completions'],
];

function requestModel(c: ProviderCase): string {
  const body = JSON.parse(c.requestBody) as { model?: string };
  const fromUrl = /\/models\/([^/:]+):/.exec(c.path)?.[1];
  return body.model ?? fromUrl ?? 'model-x';
}

/** Every (SDK operation, recorded body) pair an SDK can make against the loopback servers. */
export function sdkCases(cases: readonly ProviderCase[]): SdkCase[] {
  const result: SdkCase[] = [];
  for (const c of cases) {
    const path = c.path.split('?')[0]!;
    const model = requestModel(c);
    if (c.server === 'anthropic' && path.endsWith('/v1/messages')) {
      result.push({ id: c.id, operation: c.stream ? 'anthropic.messages-stream' : 'anthropic.messages', recorded: c, basePath: '', model });
    } else if (c.server === 'gemini' && /:(stream)?[gG]enerateContent$/.test(path)) {
      result.push({ id: c.id, operation: c.stream ? 'genai.generate-stream' : 'genai.generate', recorded: c, basePath: '', model });
    } else if (c.server !== 'vertex' && c.server !== 'anthropic' && c.server !== 'gemini') {
      const match = OPENAI_ENDPOINTS.find(([pattern]) => pattern.test(path));
      if (match === undefined) continue;
      const [pattern, kind] = match;
      const operation = `openai.${kind}${c.stream && (kind === 'chat' || kind === 'responses') ? '-stream' : ''}` as SdkOperation;
      result.push({ id: c.id, operation, recorded: c, basePath: path.replace(pattern, ''), model });
    }
  }
  return result;
}

/** SDK clients per base URL, created once (after the instrumentation is registered, as applications do). */
export class SdkClients {
  private readonly openai = new Map<string, OpenAI>();
  private readonly anthropic = new Map<string, Anthropic>();
  private readonly genai = new Map<string, GoogleGenAI>();

  openaiFor(serverUrl: string, k: SdkCase): OpenAI {
    const key = `${serverUrl}${k.basePath}|${k.recorded.server}`;
    let client = this.openai.get(key);
    if (client === undefined) {
      client =
        k.recorded.server === 'azure-openai'
          ? new AzureOpenAI({
              endpoint: serverUrl,
              apiKey: 'azure-reliability-key',
              apiVersion: '2024-02-01',
              deployment: /\/deployments\/([^/]+)\//.exec(k.recorded.path)?.[1] ?? 'gpt-4o-mini',
              maxRetries: 0,
              logLevel: 'off',
            })
          : new OpenAI({ apiKey: 'sk-reliability', baseURL: `${serverUrl}${k.basePath}`, maxRetries: 0, logLevel: 'off' });
      this.openai.set(key, client);
    }
    return client;
  }

  anthropicFor(serverUrl: string): Anthropic {
    let client = this.anthropic.get(serverUrl);
    if (client === undefined) {
      client = new Anthropic({ apiKey: 'sk-ant-reliability', baseURL: serverUrl, maxRetries: 0, logLevel: 'off' });
      this.anthropic.set(serverUrl, client);
    }
    return client;
  }

  genaiFor(serverUrl: string): GoogleGenAI {
    let client = this.genai.get(serverUrl);
    if (client === undefined) {
      client = new GoogleGenAI({ apiKey: 'AIza-reliability', httpOptions: { baseUrl: serverUrl } });
      this.genai.set(serverUrl, client);
    }
    return client;
  }
}

/** Plain JSON of a result, without transport details that differ between two identical calls (dates). */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value ?? null, (key, v: unknown) => (key === 'sdkHttpResponse' || key === '_request_id' ? undefined : v)),
  );
}

export type SdkOutcome = { ok: true; value: unknown } | { ok: false; error: string; events?: unknown[] };

function describeError(error: unknown): string {
  const e = error as { constructor?: { name?: string }; message?: unknown; status?: unknown };
  return `${e?.constructor?.name ?? typeof error}: ${String(e?.message)}${e?.status !== undefined ? ` [${String(e.status)}]` : ''}`;
}

async function collect(stream: AsyncIterable<unknown>, breakEarly: boolean): Promise<SdkOutcome> {
  const events: unknown[] = [];
  try {
    for await (const event of stream) {
      events.push(plain(event));
      if (breakEarly) break;
    }
    return { ok: true, value: events };
  } catch (error) {
    return { ok: false, error: describeError(error), events };
  }
}

/** Makes the SDK call `k` against `serverUrl` and reduces it to an outcome; never throws. */
export async function callSdk(clients: SdkClients, serverUrl: string, k: SdkCase, breakEarly: boolean): Promise<SdkOutcome> {
  const messages = [{ role: 'user' as const, content: 'hello' }];
  try {
    switch (k.operation) {
      case 'openai.chat':
        return { ok: true, value: plain(await clients.openaiFor(serverUrl, k).chat.completions.create({ model: k.model, messages })) };
      case 'openai.chat-stream':
        return collect(await clients.openaiFor(serverUrl, k).chat.completions.create({ model: k.model, messages, stream: true }), breakEarly);
      case 'openai.responses':
        return { ok: true, value: plain(await clients.openaiFor(serverUrl, k).responses.create({ model: k.model, input: 'hello' })) };
      case 'openai.responses-stream':
        return collect(await clients.openaiFor(serverUrl, k).responses.create({ model: k.model, input: 'hello', stream: true }), breakEarly);
      case 'openai.embeddings':
        return { ok: true, value: plain(await clients.openaiFor(serverUrl, k).embeddings.create({ model: k.model, input: 'hello' })) };
      case 'openai.completions':
        return { ok: true, value: plain(await clients.openaiFor(serverUrl, k).completions.create({ model: k.model, prompt: 'hello' })) };
      case 'anthropic.messages':
        return { ok: true, value: plain(await clients.anthropicFor(serverUrl).messages.create({ model: k.model, max_tokens: 16, messages })) };
      case 'anthropic.messages-stream':
        return collect(await clients.anthropicFor(serverUrl).messages.create({ model: k.model, max_tokens: 16, messages, stream: true }), breakEarly);
      case 'genai.generate':
        return { ok: true, value: plain(await clients.genaiFor(serverUrl).models.generateContent({ model: k.model, contents: 'hello' })) };
      case 'genai.generate-stream':
        return collect(await clients.genaiFor(serverUrl).models.generateContentStream({ model: k.model, contents: 'hello' }), breakEarly);
    }
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}
