/**
 * @llm-cost/openrouter: know before OpenRouter credits run out (checks, monitor with alerts and a forecast, balance
 * history), and make every stored cost what OpenRouter charged (reconciliation with adjustment rows).
 */
export { checkOpenRouterCredits } from './credits/check-credits.js';
export { startCreditMonitor } from './credits/credit-monitor.js';
export { createOpenRouterClient, type OpenRouterClient } from './openrouter-client.js';
export type { KeyState } from './credits/parse-key.js';
export type { AccountCredits } from './credits/parse-credits.js';
// The key fingerprint is shared with the other provider clients (it lives in @llm-cost/clickhouse).
export { keyFingerprint } from '@llm-cost/clickhouse';
export { reconcileOpenRouter } from './reconcile/reconcile-openrouter.js';
export { startReconciler } from './reconcile/start-reconciler.js';
export { loadOpenRouterConfig, parseOpenRouterConfig, type OpenRouterConfig } from './config/config-file.js';
export { DEFAULT_THRESHOLDS } from './alerts/thresholds.js';
export { rateFromSpend, rateFromSnapshots, forecastRunOut } from './forecast/burn-rate.js';
export { runCreditsCli } from './cli/credits-cli.js';
export { runReconcileCli } from './cli/reconcile-cli.js';
export {
  OpenRouterAuthError,
  OpenRouterRateLimitedError,
  OpenRouterApiError,
  OpenRouterResponseError,
  OpenRouterConfigError,
} from './errors.js';
export type {
  OpenRouterClientOptions,
  RetryEvent,
  OpenRouterCredits,
  GenerationRecord,
  CreditLevel,
  ThresholdRule,
  CreditThresholds,
  CreditForecast,
  CreditAlert,
  WebhookTarget,
  MonitorKey,
  CreditCheck,
  CreditMonitorOptions,
  CreditMonitor,
  ReconcileKey,
  ReconcileOptions,
  ReconcileResult,
  ReconcilerOptions,
  Reconciler,
} from './types.js';
