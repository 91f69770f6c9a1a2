// A serverless function (AWS Lambda, Vercel, Cloud Run jobs, ...) whose LLM calls are counted. The platform may freeze
// or end the process as soon as the handler returns, so the handler stores its calls before it returns.
//
// Where the calls go is decided by the environment, as for any app:
// - OTEL_EXPORTER_OTLP_ENDPOINT=https://your-collector  -> OTLP to the llm-cost collector (production);
// - otherwise, with @llm-cost/clickhouse installed      -> the embedded store at LLM_COST_CLICKHOUSE_PATH
//   (on Lambda only /tmp is writable; the store then lives as long as the sandbox: for trying it out).
import { registerLlmCostInstrumentation, withTags } from '@llm-cost/instrumentation';
import OpenAI from 'openai';

// Module scope runs once per cold start: register before creating SDK clients. An OpenAI-compatible endpoint of your
// own (OPENAI_BASE_URL: a gateway, a local server) is a host the instrumentation does not know: say what it speaks.
const baseUrl = process.env.OPENAI_BASE_URL;
const instrumentation = registerLlmCostInstrumentation({
  serviceName: 'summarize-fn',
  hosts: baseUrl ? { [new URL(baseUrl).host]: 'openai' } : undefined,
});
const openai = new OpenAI(); // OPENAI_API_KEY, OPENAI_BASE_URL from the environment

export async function handler(event) {
  try {
    return await withTags({ user_id: event.userId, feature: 'summarize' }, async () => {
      const summaries = [];
      for (const text of event.texts) {
        const completion = await openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `Summarize: ${text}` }],
        });
        summaries.push(completion.choices[0]?.message.content ?? '');
      }
      return { statusCode: 200, body: JSON.stringify({ summaries }) };
    });
  } finally {
    // Resolves once every call above is stored (a row of the embedded store, or accepted by the collector). Without
    // it the spans would wait in the batch queue for up to 5 s, and a frozen or ended process would lose them.
    await instrumentation.forceFlush();
  }
}
