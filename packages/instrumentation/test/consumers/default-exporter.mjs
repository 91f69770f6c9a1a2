// An application that registers without naming an exporter or a provider: where do its spans go?
// Env: PROVIDER_URL (an OpenAI-shaped loopback server). Prints diag messages to stderr.
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { registerLlmCostInstrumentation } from '@llm-cost/instrumentation';

diag.setLogger(
  { error: console.error, warn: console.error, info: console.error, debug: console.error, verbose: () => undefined },
  DiagLogLevel.DEBUG,
);
const url = process.env.PROVIDER_URL;
const handle = registerLlmCostInstrumentation({ hosts: { [new URL(url).host]: 'openai' } });
const response = await fetch(`${url}/v1/chat/completions`, {
  method: 'POST',
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
});
const body = await response.json();
await handle.shutdown();
process.stdout.write(JSON.stringify({ promptTokens: body.usage.prompt_tokens }));
