/**
 * Stable OpenTelemetry attribute names llm-cost reads or writes, taken from `@opentelemetry/semantic-conventions`
 * (its stable entry point, which libraries may depend on) rather than copied.
 */
export {
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';
