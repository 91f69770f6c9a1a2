import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { errorOnce, REPEAT_INTERVAL_MS, warnOnce } from '../src/diag-once.js';

const lines: Array<{ level: string; message: string }> = [];
const logger: DiagLogger = {
  error: (message) => void lines.push({ level: 'error', message }),
  warn: (message) => void lines.push({ level: 'warn', message }),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

beforeAll(() => {
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  // Only the wall clock is moved; timers and the event loop stay real.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.UTC(2026, 10, 23, 12, 0, 0));
});
afterAll(() => {
  vi.useRealTimers();
  diag.disable();
});

const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

describe('problem logging', () => {
  it('logs a problem once however often it happens within the hour', () => {
    lines.length = 0;
    for (let i = 0; i < 100; i++) errorOnce('hook:a', 'hook a failed');
    advance(REPEAT_INTERVAL_MS - 1);
    errorOnce('hook:a', 'hook a failed');
    expect(lines).toEqual([{ level: 'error', message: '@llm-cost/instrumentation: hook a failed' }]);
  });

  it('reports a problem that keeps happening again an hour later, with how many times it was not logged', () => {
    lines.length = 0;
    for (let i = 0; i < 10; i++) warnOnce('tags:b', 'bad tag');
    advance(REPEAT_INTERVAL_MS);
    warnOnce('tags:b', 'bad tag');
    warnOnce('tags:b', 'bad tag');
    advance(REPEAT_INTERVAL_MS);
    warnOnce('tags:b', 'bad tag');
    expect(lines.map((l) => l.message)).toEqual([
      '@llm-cost/instrumentation: bad tag',
      '@llm-cost/instrumentation: bad tag (again; 9 more times since the last report)',
      '@llm-cost/instrumentation: bad tag (again; 1 more time since the last report)',
    ]);
  });

  it('logs a problem that comes back after a quiet hour as new, and keeps distinct problems apart', () => {
    lines.length = 0;
    errorOnce('hook:c', 'hook c failed');
    errorOnce('hook:d', 'hook d failed');
    advance(3 * REPEAT_INTERVAL_MS);
    errorOnce('hook:c', 'hook c failed');
    expect(lines.map((l) => l.message)).toEqual([
      '@llm-cost/instrumentation: hook c failed',
      '@llm-cost/instrumentation: hook d failed',
      '@llm-cost/instrumentation: hook c failed',
    ]);
  });

  it('stays bounded under a flood of distinct problems, and makes room again once they have gone quiet', () => {
    lines.length = 0;
    for (let i = 0; i < 5000; i++) warnOnce(`flood:${i}`, `problem ${i}`);
    // The table holds 1000 keys (minus the few from the tests above): later keys are not logged while it is full.
    expect(lines.length).toBeLessThan(1000);
    expect(lines.length).toBeGreaterThan(990);
    advance(REPEAT_INTERVAL_MS);
    warnOnce('flood:new', 'a new problem');
    expect(lines.at(-1)?.message).toBe('@llm-cost/instrumentation: a new problem');
  });
});
