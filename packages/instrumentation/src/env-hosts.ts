import { warnOnce } from './diag-once.js';

/**
 * `LLM_COST_HOSTS` → the `hosts` option: `host[:port]=provider` pairs separated by commas
 * (`127.0.0.1:4010=anthropic,llm.internal.example=internal_gateway`), or a JSON object.
 */
export function hostsFromEnv(value: string | undefined): Record<string, string> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).filter(([, name]) => typeof name === 'string')) as Record<
          string,
          string
        >;
      }
    } catch {
      // reported below
    }
    warnOnce('env:hosts', 'LLM_COST_HOSTS is not a JSON object of host to provider name; ignored');
    return undefined;
  }
  const hosts: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.lastIndexOf('=');
    const host = pair.slice(0, at).trim();
    const name = pair.slice(at + 1).trim();
    if (at <= 0 || host === '' || name === '') {
      warnOnce(`env:hosts:${pair}`, `LLM_COST_HOSTS entry "${pair}" is not host=provider; ignored`);
      continue;
    }
    hosts[host] = name;
  }
  return hosts;
}
