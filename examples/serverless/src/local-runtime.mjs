// A stand-in for the serverless platform, to run the handler locally: loads it once (a cold start), invokes it once
// per event, and behaves like a platform that ends the sandbox when the last invocation returns. Each result is
// printed as a JSON line.
//
//   OPENAI_BASE_URL=... LLM_COST_CLICKHOUSE_PATH=/tmp/llm-cost node src/local-runtime.mjs '{"userId":"u1","texts":["a"]}'
//
// AFTER_LAST=sigkill ends the process with SIGKILL right after the last handler returns (nothing else runs: no exit
// listener, no timer), as a platform reclaiming the sandbox does; the default keeps it alive, frozen in spirit, until
// it is killed from outside.
import { handler } from './handler.mjs';

const events = process.argv.slice(2).map((arg) => JSON.parse(arg));
for (const [index, event] of events.entries()) {
  const response = await handler(event);
  process.stdout.write(`${JSON.stringify({ invocation: index + 1, statusCode: response.statusCode })}\n`);
}
if (process.env.AFTER_LAST === 'sigkill') process.kill(process.pid, 'SIGKILL');
setInterval(() => {}, 1 << 30);
