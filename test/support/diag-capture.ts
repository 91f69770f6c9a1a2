/** Captures OpenTelemetry diag output, to assert that a problem was logged (once) rather than thrown. */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';

export interface DiagCapture {
  readonly warnings: string[];
  readonly errors: string[];
  /** Messages at warn or error level that contain `text`. */
  count(text: string): number;
}

export function captureDiag(): DiagCapture {
  const warnings: string[] = [];
  const errors: string[] = [];
  const logger: DiagLogger = {
    error: (message) => void errors.push(message),
    warn: (message) => void warnings.push(message),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return {
    warnings,
    errors,
    count: (text) => [...warnings, ...errors].filter((message) => message.includes(text)).length,
  };
}
