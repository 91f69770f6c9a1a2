import { parseAccountCredits, type AccountCredits } from './credits/parse-credits.js';
import { parseKeyState, type KeyState } from './credits/parse-key.js';
import { createOpenRouterHttp } from './http/openrouter-client.js';
import { OpenRouterResponseError } from './errors.js';
import { parseGeneration } from './reconcile/parse-generation.js';
import type { GenerationRecord, OpenRouterClientOptions } from './types.js';

/** OpenRouter's account endpoints, read with one key. */
export interface OpenRouterClient {
  /** `GET /key`: the key's limit, usage and remaining credit. */
  getKey(): Promise<KeyState>;
  /** `GET /credits`: the account's credits bought and used (OpenRouter documents it as needing a management key). */
  getCredits(): Promise<AccountCredits>;
  /** `GET /generation?id=`: what a generation cost; null when OpenRouter has no record of it (yet). */
  getGeneration(id: string): Promise<GenerationRecord | null>;
  /** `…` and the key's last 4 characters. */
  readonly keyFingerprint: string;
}

export function createOpenRouterClient(options: OpenRouterClientOptions): OpenRouterClient {
  const http = createOpenRouterHttp(options);
  const getOk = async (path: string) => {
    const result = await http.get(path);
    if (result.status === 404) throw new OpenRouterResponseError(`GET ${path}: HTTP 404 from ${http.baseUrl}; is the base URL right?`);
    return result.body;
  };
  return {
    keyFingerprint: http.keyFingerprint,
    getKey: async () => parseKeyState(await getOk('/key')),
    getCredits: async () => parseAccountCredits(await getOk('/credits')),
    async getGeneration(id) {
      const result = await http.get(`/generation?id=${encodeURIComponent(id)}`);
      if (result.status === 404) return null;
      const record = parseGeneration(result.body);
      if (record.id !== '' && record.id !== id) {
        throw new OpenRouterResponseError(`GET /generation?id=${id}: the record is for ${record.id}`);
      }
      return { ...record, id };
    },
  };
}
