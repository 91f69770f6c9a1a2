/**
 * Our own failures are contained and logged once (issue 8): a throwing exporter (synchronously, by a failed result, by
 * a rejecting flush), a throwing budget guard (`check`, `record`, the ClickHouse guard's `onExceeded`), a broken tag
 * function (`defaultTags` throwing or returning garbage) and a throwing span processor or tracer. Through all of it the
 * application's calls go through with the same bytes, its own awaits of `forceFlush()` / `shutdown()` do not reject,
 * and each failure is logged once, however many calls hit it.
 */
import { diag, DiagLogLevel, type DiagLogger, type TracerProvider } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSpanCollector,
  fixtureReply,
  projectFixture,
  readAllBytes,
  startProviderServer,
  type ProviderServer,
} from '../support/index.js';
import { reportFigures } from './support/figures.js';
import {
  createBudgetGuard,
  createUsageQueries,
  migrate,
  registerLlmCostInstrumentation,
  withTags,
  type LlmCostInstrumentation,
  type LlmCostInstrumentationOptions,
} from './support/packages.js';

const CALLS = 25;
const chat = projectFixture('openai/chat-completions');
const chatStream = projectFixture('openai/chat-completions-stream');

/** Every diag message at every level, so "logged once" counts what an application with a diag logger would see. */
const logged: Array<{ level: string; message: string }> = [];
/** A diag line as an application's logger prints it: the message and its arguments (errors by their message). */
const line = (message: string, args: unknown[]) =>
  [message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(' ');
const logger: DiagLogger = {
  error: (message, ...args) => void logged.push({ level: 'error', message: line(message, args) }),
  warn: (message, ...args) => void logged.push({ level: 'warn', message: line(message, args) }),
  info: (message, ...args) => void logged.push({ level: 'info', message: line(message, args) }),
  debug: (message, ...args) => void logged.push({ level: 'debug', message: line(message, args) }),
  verbose: (message, ...args) => void logged.push({ level: 'verbose', message: line(message, args) }),
};

let server: ProviderServer;
let handle: LlmCostInstrumentation | undefined;
const faults: Record<string, number> = {};

beforeAll(async () => {
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  server = await startProviderServer((request) =>
    fixtureReply((request.json as { stream?: boolean } | undefined)?.stream === true ? chatStream : chat),
  );
});
let mark = 0;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  // However many calls hit a failure, no warning or error line is repeated: each problem is logged once.
  const added = logged.slice(mark).filter((m) => m.level === 'warn' || m.level === 'error').map((m) => m.message);
  expect(added.length, `lines logged: ${added.join(' | ')}`).toBe(new Set(added).size);
  expect(added.length, `lines logged: ${added.join(' | ')}`).toBeLessThanOrEqual(4);
  mark = logged.length;
});
afterAll(async () => {
  await server.close();
  diag.disable();
  reportFigures('own-failures', { failuresInjected: Object.keys(faults).length, callsThroughEachFailure: CALLS * 2, faults });
});

/**
 * `logged` is never cleared: "once" means once in the process (the instrumentation logs each distinct problem once per
 * process), so a later test hitting a problem an earlier one hit must add nothing.
 */
function register(options: LlmCostInstrumentationOptions): LlmCostInstrumentation {
  // Spans go somewhere of the test's own: without a destination they would go to the default exporter, the
  // checkout's embedded store.
  const destination =
    options.exporter ?? options.spanProcessors ?? options.tracerProvider ? {} : { exporter: new InMemorySpanExporter() };
  handle = registerLlmCostInstrumentation({ hosts: { [server.host]: 'openai' }, ...destination, ...options });
  return handle;
}

/** `CALLS` plain and `CALLS` streamed calls: every one returns exactly the bytes the provider sent. */
async function callsGoThrough(): Promise<void> {
  for (let i = 0; i < CALLS; i++) {
    for (const stream of [false, true]) {
      const index = server.requests.length;
      const response = await withTags({ user_id: `u${i}` }, () =>
        fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream }),
        }),
      );
      expect(response.status).toBe(200);
      expect((await readAllBytes(response.body)).equals(server.sentBodies[index]!)).toBe(true);
    }
  }
}

/** Messages at warn or error level that mention `text`. */
function problems(text: string | RegExp): string[] {
  return logged
    .filter((m) => m.level === 'warn' || m.level === 'error')
    .map((m) => m.message)
    .filter((message) => (typeof text === 'string' ? message.includes(text) : text.test(message)));
}

/** The application's own awaits of the handle must not reject because of our failure. */
async function handleSettles(h: LlmCostInstrumentation): Promise<void> {
  await expect(h.forceFlush()).resolves.toBeUndefined();
  await expect(h.shutdown()).resolves.toBeUndefined();
}

describe('a failing exporter', () => {
  it('export() throwing: calls go through, flush and shutdown resolve, logged once', async () => {
    faults['exporter throws'] = 1;
    let exports = 0;
    const h = register({
      exporter: {
        export() {
          exports++;
          throw new Error('exporter bug');
        },
        shutdown: () => Promise.resolve(),
      },
    });
    await callsGoThrough();
    await handleSettles(h);
    expect(exports).toBeGreaterThan(0);
    expect(problems('exporter bug')).toHaveLength(1);
  });

  it('export() calling back with a failure every time: logged once', async () => {
    faults['exporter fails'] = 1;
    let exports = 0;
    const h = register({
      exporter: {
        export(_spans: unknown, done: (result: { code: number; error?: Error }) => void) {
          exports++;
          done({ code: 1, error: new Error('store unreachable') });
        },
        shutdown: () => Promise.resolve(),
      },
    });
    await callsGoThrough();
    await h.forceFlush();
    await callsGoThrough();
    await handleSettles(h);
    expect(exports).toBeGreaterThan(1);
    expect(problems('store unreachable')).toHaveLength(1);
  });

  it('forceFlush() and shutdown() of the exporter rejecting: the handle resolves, logged once each', async () => {
    faults['exporter flush rejects'] = 1;
    const h = register({
      exporter: {
        export: (_spans: unknown, done: (result: { code: number }) => void) => done({ code: 0 }),
        forceFlush: () => Promise.reject(new Error('flush bug')),
        shutdown: () => Promise.reject(new Error('shutdown bug')),
      },
    });
    await callsGoThrough();
    await expect(h.forceFlush()).resolves.toBeUndefined();
    await expect(h.forceFlush()).resolves.toBeUndefined();
    await expect(h.shutdown()).resolves.toBeUndefined();
    expect(problems('flush bug')).toHaveLength(1);
    expect(problems('shutdown bug')).toHaveLength(1);
  });
});

describe('a failing span processor or tracer', () => {
  const processor = (fail: { start?: boolean; end?: boolean }) => ({
    onStart() {
      if (fail.start) throw new Error('processor start bug');
    },
    onEnd() {
      if (fail.end) throw new Error('processor end bug');
    },
    forceFlush: () => Promise.reject(new Error('processor flush bug')),
    shutdown: () => Promise.reject(new Error('processor shutdown bug')),
  });

  it('a processor throwing in onEnd, forceFlush and shutdown: calls go through, logged once', async () => {
    faults['span processor throws on end and flush'] = 1;
    const h = register({ spanProcessors: [processor({ end: true })] });
    await callsGoThrough();
    await handleSettles(h);
    expect(problems('could not complete an LLM span')).toHaveLength(1);
    expect(problems('processor flush bug')).toHaveLength(1);
  });

  it('a processor throwing in onStart: calls go through unrecorded, logged once', async () => {
    faults['span processor throws on start'] = 1;
    const h = register({ spanProcessors: [processor({ start: true })] });
    await callsGoThrough();
    await handleSettles(h);
    // The span is made when the call ends, so this is the failure the onEnd test above already logged: still one line.
    expect(problems(/could not (start|complete) an LLM span/)).toHaveLength(1);
  });

  it('a tracer provider whose tracer throws: calls go through unrecorded, nothing more logged', async () => {
    faults['tracer throws'] = 1;
    const broken = {
      getTracer: () => ({
        startSpan() {
          throw new Error('tracer bug');
        },
        startActiveSpan() {
          throw new Error('tracer bug');
        },
      }),
    } as unknown as TracerProvider;
    const h = register({ tracerProvider: broken });
    await callsGoThrough();
    await handleSettles(h);
    expect(problems(/could not (start|complete) an LLM span/)).toHaveLength(1);
  });
});

describe('a failing budget guard', () => {
  it('check() throwing and record() throwing: every call goes through, each logged once', async () => {
    faults['budget check and record throw'] = 1;
    const collector = createSpanCollector();
    const h = register({
      tracerProvider: collector.provider,
      budgetGuard: {
        check() {
          throw new Error('check bug');
        },
        record() {
          throw new Error('record bug');
        },
      },
    });
    await callsGoThrough();
    expect(collector.llmSpans()).toHaveLength(CALLS * 2);
    await handleSettles(h);
    expect(problems('the budget guard threw')).toHaveLength(1);
    expect(problems('failed to record a call')).toHaveLength(1);
  });

  it('check() rejecting: every call goes through, logged once', async () => {
    faults['budget check rejects'] = 1;
    const h = register({ budgetGuard: { check: () => Promise.reject(new Error('guard down')), record: () => undefined } });
    await callsGoThrough();
    await handleSettles(h);
    expect(problems('the budget guard rejected')).toHaveLength(1);
  });

  it("the ClickHouse budget guard's onExceeded throwing on every call: calls go through, logged once", async () => {
    faults['onExceeded throws'] = 1;
    const path = mkdtempSync(join(tmpdir(), 'llm-cost-reliability-budget-'));
    await migrate({ path });
    const queries = createUsageQueries({ path });
    let notified = 0;
    const budgetGuard = createBudgetGuard({
      queries,
      budgets: [
        // Every call is over a per-call budget of a nano-dollar: notified on every call.
        { scope: 'global', period: 'call', maxCost: '0.000000001', action: 'notify' },
        // A daily budget read from ClickHouse (the read happens, spend is zero): onExceeded only via the call budget.
        { scope: 'user', period: 'day', maxCost: '100', action: 'block' },
      ],
      onExceeded: () => {
        notified++;
        throw new Error('onExceeded bug');
      },
    });
    const h = register({ budgetGuard });
    await callsGoThrough();
    await handleSettles(h);
    expect(notified).toBe(CALLS * 2);
    expect(problems('onExceeded')).toHaveLength(1);
    await queries.close();
  });
});

describe('a broken tag function', () => {
  const broken: Record<string, () => unknown> = {
    throws: () => {
      throw new Error('tag bug');
    },
    'returns a string': () => 'user=42',
    'returns null': () => null,
    'returns a promise': () => Promise.resolve({ user_id: '42' }),
    'returns an object whose getters throw': () =>
      Object.defineProperty({}, 'user_id', {
        enumerable: true,
        get() {
          throw new Error('getter bug');
        },
      }),
    'returns a proxy that throws on enumeration': () =>
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('proxy bug');
          },
        },
      ),
  };

  for (const [name, defaultTags] of Object.entries(broken)) {
    it(`defaultTags ${name}: every call goes through and is recorded, logged at most once`, async () => {
      faults[`defaultTags ${name}`] = 1;
      const collector = createSpanCollector();
      const h = register({ tracerProvider: collector.provider, defaultTags: defaultTags as never });
      await callsGoThrough();
      expect(collector.llmSpans()).toHaveLength(CALLS * 2);
      // The scope's own tags are still there.
      expect(collector.llmSpans().every((s) => typeof s.attributes['llm_cost.tag.user_id'] === 'string')).toBe(true);
      await handleSettles(h);
    });
  }
});
