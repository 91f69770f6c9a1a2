// A CommonJS application that creates its OpenAI client at module load and never calls shutdown(): run with
// `node --require @llm-cost/instrumentation/register`. Env: PROVIDER_URL.
'use strict';
const OpenAI = require('openai');

const client = new OpenAI({ apiKey: 'sk-preload', baseURL: `${process.env.PROVIDER_URL}/v1`, maxRetries: 0 });
client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).then((completion) => {
  process.stdout.write(JSON.stringify({ promptTokens: completion.usage.prompt_tokens }));
});
