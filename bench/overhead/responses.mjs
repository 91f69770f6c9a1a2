/**
 * The precomputed OpenAI answers both transports replay: a chat completion (JSON) and a 50-chunk stream with the
 * final `include_usage` chunk and `[DONE]`, each SSE event its own chunk, shaped like what api.openai.com sends.
 */
const encoder = new TextEncoder();

export const MODEL = 'gpt-4o-mini';
export const STREAM_CONTENT_CHUNKS = 50;

export const REQUEST_MESSAGES = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Say something about benchmarks in fifty words.' },
];

const usage = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

const words = Array.from({ length: STREAM_CONTENT_CHUNKS }, (_, i) => `word${i} `);

export const COMPLETION_JSON = JSON.stringify({
  id: 'chatcmpl-bench-0001',
  object: 'chat.completion',
  created: 1767225600,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: words.join(''), refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage,
  service_tier: 'default',
  system_fingerprint: 'fp_bench',
});
export const COMPLETION_BYTES = encoder.encode(COMPLETION_JSON);

function chunk(delta, finishReason, extra = {}) {
  return {
    id: 'chatcmpl-bench-0002',
    object: 'chat.completion.chunk',
    created: 1767225600,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
    choices: finishReason === undefined && delta === undefined ? [] : [{ index: 0, delta: delta ?? {}, logprobs: null, finish_reason: finishReason ?? null }],
    usage: null,
    ...extra,
  };
}

/** SSE events: 50 content deltas (the first also carries the role, the last the finish reason), usage, [DONE]. */
export const STREAM_EVENTS = [
  ...words.map((word, i) =>
    `data: ${JSON.stringify(chunk(i === 0 ? { role: 'assistant', content: word } : { content: word }, i === words.length - 1 ? 'stop' : undefined))}\n\n`,
  ),
  `data: ${JSON.stringify(chunk(undefined, undefined, { usage }))}\n\n`,
  'data: [DONE]\n\n',
];
/** One Uint8Array per event, shared by every replay (readers never write into them). */
export const STREAM_CHUNKS = STREAM_EVENTS.map((event) => encoder.encode(event));

export const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req_bench' };
export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_bench' };

/** Whether a request body asks for a stream (`"stream":true`; openai 4.x pretty-prints its bodies: `"stream": true`). */
export function wantsStream(bodyText) {
  return bodyText.includes('"stream":true') || /"stream"\s*:\s*true/.test(bodyText);
}
