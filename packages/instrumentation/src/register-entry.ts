/**
 * Preload entry: `node --import @llm-cost/instrumentation/register app.js` (ESM) or
 * `node --require @llm-cost/instrumentation/register app.js` (CommonJS) registers the instrumentation before the
 * application's first line, so that SDK clients created at module load (which keep the fetch they find) are captured.
 * Configured by environment: `LLM_COST_HOSTS`, `LLM_COST_CAPTURE_STREAM_USAGE`, `LLM_COST_ENABLED`, and the
 * OpenTelemetry variables (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`, ...).
 */
import { registerLlmCostInstrumentation } from '@llm-cost/instrumentation';
import { hostsFromEnv } from './env-hosts.js';

registerLlmCostInstrumentation({ hosts: hostsFromEnv(process.env.LLM_COST_HOSTS) });
