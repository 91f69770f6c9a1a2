/**
 * Every price key of the genai-prices data format (v2 schema, `ModelPrice`), split into the keys we price and the
 * keys we know but do not price. A key in neither list is unknown: loading or syncing data that uses one fails,
 * because pricing without it would silently under-charge (issue 3).
 */

/** How a priced key's number is read: USD per `per` units. */
export interface PricedKey {
  readonly key: string;
  /** Units the price is quoted for: 1e6 tokens (`_mtok`) or 1e3 requests (`_kcount`). */
  readonly per: number;
  /** The key that must be priced too (the engine's "ancestor" rule), or `null`. */
  readonly requires: string | null;
}

/**
 * Keys priced from `TokenUsage`:
 * - `input_mtok`: input tokens that are not priced by a more specific key below (uncached input).
 * - `cache_read_mtok`: `cacheReadTokens`.
 * - `cache_write_mtok`: `cacheWriteTokens` not priced by a TTL-specific key (Anthropic's default TTL is 5 minutes).
 * - `cache_write_5m_mtok`: `cacheWrite5mTokens`, when the data has a 5-minute rate of its own.
 * - `cache_write_1h_mtok`: `cacheWrite1hTokens`.
 * - `output_mtok`: output tokens not priced by `output_reasoning_mtok`.
 * - `output_reasoning_mtok`: `reasoningTokens`, when the model has a reasoning rate of its own.
 * - `requests_kcount`: a fee per request (one request per call).
 *
 * When a model has no price for a more specific key, those tokens fall back to the parent key (cached input at the
 * input rate, 1-hour writes at the cache-write rate, reasoning at the output rate), exactly as the engine does.
 */
export const PRICED_KEYS: Readonly<Record<string, PricedKey>> = {
  input_mtok: { key: 'input_mtok', per: 1e6, requires: null },
  cache_read_mtok: { key: 'cache_read_mtok', per: 1e6, requires: 'input_mtok' },
  cache_write_mtok: { key: 'cache_write_mtok', per: 1e6, requires: 'input_mtok' },
  cache_write_5m_mtok: { key: 'cache_write_5m_mtok', per: 1e6, requires: 'cache_write_mtok' },
  cache_write_1h_mtok: { key: 'cache_write_1h_mtok', per: 1e6, requires: 'cache_write_mtok' },
  output_mtok: { key: 'output_mtok', per: 1e6, requires: null },
  output_reasoning_mtok: { key: 'output_reasoning_mtok', per: 1e6, requires: 'output_mtok' },
  requests_kcount: { key: 'requests_kcount', per: 1e3, requires: null },
};

/**
 * Keys we know and deliberately do not price, with the reason. `TokenUsage` carries no modality split, tool-call
 * counts or non-token units, so these tokens are priced at the text rates above (what the engine itself does when
 * usage is not split by modality), and fees in other units are not charged. A model priced *only* in such units
 * (speech-to-text by the hour, OCR by the page) is reported as `unknown_model` with the flag
 * `unsupported_price_units` rather than priced at zero.
 */
export const NON_PRICED_KEYS: Readonly<Record<string, string>> = {
  // Modality splits of tokens: TokenUsage has no audio/image/video/text split.
  input_text_mtok: 'modality split',
  output_text_mtok: 'modality split',
  cache_text_read_mtok: 'modality split',
  cache_text_write_mtok: 'modality split',
  cache_text_write_5m_mtok: 'modality split',
  cache_text_write_1h_mtok: 'modality split',
  input_audio_mtok: 'modality split',
  output_audio_mtok: 'modality split',
  cache_audio_read_mtok: 'modality split',
  cache_audio_write_mtok: 'modality split',
  cache_audio_write_5m_mtok: 'modality split',
  cache_audio_write_1h_mtok: 'modality split',
  input_image_mtok: 'modality split',
  output_image_mtok: 'modality split',
  cache_image_read_mtok: 'modality split',
  cache_image_write_mtok: 'modality split',
  cache_image_write_5m_mtok: 'modality split',
  cache_image_write_1h_mtok: 'modality split',
  input_video_mtok: 'modality split',
  output_video_mtok: 'modality split',
  cache_video_read_mtok: 'modality split',
  cache_video_write_mtok: 'modality split',
  cache_video_write_5m_mtok: 'modality split',
  cache_video_write_1h_mtok: 'modality split',
  output_text_reasoning_mtok: 'modality split',
  output_audio_reasoning_mtok: 'modality split',
  output_image_reasoning_mtok: 'modality split',
  output_video_reasoning_mtok: 'modality split',
  // Token kinds the canonical usage does not count.
  input_tool_mtok: 'tool-definition tokens are not counted separately',
  input_text_tool_mtok: 'tool-definition tokens are not counted separately',
  input_audio_tool_mtok: 'tool-definition tokens are not counted separately',
  input_image_tool_mtok: 'tool-definition tokens are not counted separately',
  input_video_tool_mtok: 'tool-definition tokens are not counted separately',
  output_citation_mtok: 'citation tokens are not counted separately',
  output_text_citation_mtok: 'citation tokens are not counted separately',
  output_audio_citation_mtok: 'citation tokens are not counted separately',
  output_image_citation_mtok: 'citation tokens are not counted separately',
  output_video_citation_mtok: 'citation tokens are not counted separately',
  // Tool-call fees: usage carries no tool-call counts.
  web_searches_kcount: 'tool-call fee',
  social_searches_kcount: 'tool-call fee',
  storage_searches_kcount: 'tool-call fee',
  code_executions_kcount: 'tool-call fee',
  rerank_searches_kcount: 'tool-call fee',
  // Units other than tokens.
  input_mchars: 'characters, not tokens',
  input_text_messages_kcount: 'messages, not tokens',
  audio_hours: 'audio duration',
  input_audio_hours: 'audio duration',
  output_audio_hours: 'audio duration',
  input_gpixels: 'pixels',
  input_document_kpages: 'document pages',
  input_annotated_document_kpages: 'document pages',
};

/** Whether a price key is part of the format this version understands. */
export function isKnownPriceKey(key: string): boolean {
  return Object.hasOwn(PRICED_KEYS, key) || Object.hasOwn(NON_PRICED_KEYS, key);
}
