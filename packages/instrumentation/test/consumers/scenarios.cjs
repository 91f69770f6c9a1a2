// The calls a consumer application makes through the real SDKs, shared by the ESM and the CommonJS consumer (which
// differ only in how they load @llm-cost/instrumentation, the SDKs and OpenTelemetry). Each call runs inside
// withTags({ scenario }) so the parent test can match spans to scenarios.
'use strict';

async function runScenarios({ OpenAI, Anthropic, GoogleGenAI, withTags, urls }) {
  const results = {};
  const openai = new OpenAI({ apiKey: 'sk-consumer-secret', baseURL: `${urls.openai}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: 'sk-ant-consumer-secret', baseURL: urls.anthropic, maxRetries: 0 });
  const genai = new GoogleGenAI({ apiKey: 'AIza-consumer-secret', httpOptions: { baseUrl: urls.gemini } });
  const messages = [{ role: 'user', content: 'Say hello' }];

  const scenario = (name, fn) => withTags({ scenario: name }, fn);

  await scenario('openai-chat', async () => {
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    results['openai-chat'] = r.usage.prompt_tokens;
  });
  await scenario('openai-chat-stream', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    results['openai-chat-stream'] = text;
  });
  await scenario('openai-chat-stream-break', async () => {
    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const chunk of stream) {
      results['openai-chat-stream-break'] = chunk.id;
      break;
    }
  });
  await scenario('openai-responses-stream', async () => {
    const stream = await openai.responses.create({ model: 'gpt-4.1-mini', input: 'Say hello', stream: true });
    let completed = false;
    for await (const event of stream) if (event.type === 'response.completed') completed = true;
    results['openai-responses-stream'] = completed;
  });
  await scenario('openai-embeddings', async () => {
    const r = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
    results['openai-embeddings'] = r.data.length;
  });
  await scenario('anthropic-messages', async () => {
    const r = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages });
    results['anthropic-messages'] = r.usage.input_tokens;
  });
  await scenario('anthropic-messages-stream', async () => {
    const stream = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages, stream: true });
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    results['anthropic-messages-stream'] = text;
  });
  await scenario('gemini-generate', async () => {
    const r = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Say hello' });
    results['gemini-generate'] = r.usageMetadata.promptTokenCount;
  });
  await scenario('gemini-generate-stream', async () => {
    const stream = await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Say hello' });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    results['gemini-generate-stream'] = text;
  });
  return results;
}

/** Spans as plain JSON for the parent test. */
function serializeSpans(spans) {
  return spans.map((span) => ({
    name: span.name,
    kind: span.kind,
    instrumentationScope: { name: span.instrumentationScope.name },
    status: { code: span.status.code },
    ended: span.ended,
    attributes: span.attributes,
    parentSpanId: span.parentSpanContext?.spanId ?? span.parentSpanId,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
  }));
}

module.exports = { runScenarios, serializeSpans };
