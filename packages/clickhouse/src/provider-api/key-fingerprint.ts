/**
 * What identifies an API key (an OpenRouter key, an OpenAI or Anthropic admin key) in logs, rows, alerts and errors:
 * `…` and its last 4 characters, like the providers' own key lists. A short string (not a real key) shows no
 * characters at all rather than most of itself.
 */
export function keyFingerprint(apiKey: string): string {
  return apiKey.length >= 16 ? `…${apiKey.slice(-4)}` : '…????';
}

/** Replaces every occurrence of the key in a text (an error body echoing it, say) with its fingerprint. */
export function redactKey(text: string, apiKey: string): string {
  return apiKey.length === 0 ? text : text.split(apiKey).join(keyFingerprint(apiKey));
}
