// An ESM application that creates its OpenAI client at module load and never calls shutdown(): run with
// `node --import @llm-cost/instrumentation/register`. Env: PROVIDER_URL.
import OpenAI from 'openai';

const client = new OpenAI({ apiKey: 'sk-preload', baseURL: `${process.env.PROVIDER_URL}/v1`, maxRetries: 0 });
const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
process.stdout.write(JSON.stringify({ promptTokens: completion.usage.prompt_tokens }));
