/**
 * Whether making our span the active OpenTelemetry context while the wrapped fetch starts can matter to anyone.
 *
 * It matters when an HTTP-client instrumentation would nest its span under ours and inject our trace context into the
 * request (`@opentelemetry/instrumentation-undici` subscribes to undici's `undici:request:create` diagnostics channel;
 * `@opentelemetry/instrumentation-http` wraps `http.request` / `https.request`), or when the application already runs
 * inside a traced context (something in the fetch it handed us may read the active span).
 *
 * Otherwise entering a context is pure cost, and not only ours: on Node 20 the first `AsyncLocalStorage.run()` of the
 * OpenTelemetry context manager switches on promise hooks for the whole process, which then slow every promise of the
 * application (measured in docs/benchmarks.md: a bare active span per call cut the OpenAI SDK's throughput at 8 calls
 * in flight to ~0.8x; the same call with no context entered stays at ~1.0x).
 */
import { channel } from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import { trace, type Context } from '@opentelemetry/api';
import { originalRequestOf } from './capture/http/patch.js';

/**
 * Held (so `hasSubscribers` is a property read, not a lookup by name per call): `subscribe()` by name finds this very
 * channel object, as undici's own `channel()` call does.
 */
const undiciRequestCreate = channel('undici:request:create');

/** shimmer (used by every OpenTelemetry `InstrumentationBase`) marks the functions it wraps. */
function wrapped(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { __wrapped?: unknown }).__wrapped === true;
}

/** Whether `fn`, or the function our own `node:http` wrapper wraps, is shimmer-wrapped. */
function wrappedBelowUs(fn: unknown): boolean {
  return wrapped(fn) || wrapped(originalRequestOf(fn));
}

export function activeContextObservable(parent: Context): boolean {
  return (
    trace.getSpan(parent) !== undefined ||
    undiciRequestCreate.hasSubscribers ||
    wrappedBelowUs(http.request) ||
    wrappedBelowUs(https.request)
  );
}
