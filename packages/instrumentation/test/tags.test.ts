/**
 * withTags(): tags follow the async call tree (await, timers, event emitters, streams, an HTTP server's handlers)
 * and never bleed between concurrent requests.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpanCollector, fixtureReply, projectFixture, type ProviderServer } from '../../../test/support/index.js';
import { getTags, registerLlmCostInstrumentation, withTags } from '../src/index.js';
import { ATTR_GEN_AI_REQUEST_MODEL, LLM_COST_TAG_PREFIX } from '@llm-cost/semconv';
import { startServers } from './helpers.js';

const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;
let openai: ProviderServer;

beforeAll(async () => {
  env = await startServers(['openai']);
  openai = env.servers.openai!;
  openai.route(() => fixtureReply(projectFixture('openai/chat-completions')));
  registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
});
afterAll(() => env.close());

/** One LLM call whose request model names the caller, so its span can be matched to its tags. */
async function call(model: string): Promise<void> {
  const response = await fetch(`${openai.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model, messages: [] }),
  });
  await response.json();
}

function tagsOf(model: string): Record<string, unknown> {
  const span = collector.llmSpans().find((s) => s.attributes[ATTR_GEN_AI_REQUEST_MODEL] === model);
  expect(span, `span for ${model}`).toBeDefined();
  const tags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(span!.attributes)) {
    if (key.startsWith(LLM_COST_TAG_PREFIX)) tags[key.slice(LLM_COST_TAG_PREFIX.length)] = value;
  }
  return tags;
}

const tick = (i: number) =>
  i % 3 === 0
    ? new Promise((resolve) => setImmediate(resolve))
    : i % 3 === 1
      ? new Promise((resolve) => setTimeout(resolve, 0))
      : Promise.resolve();

describe('withTags', () => {
  it('200 concurrent scopes with interleaved awaits each see only their own tags', async () => {
    collector.clear();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        withTags({ user_id: `user-${i}`, parity: i % 2 === 0 }, async () => {
          await tick(i);
          expect(getTags()).toEqual({ user_id: `user-${i}`, parity: i % 2 === 0 });
          await tick(i + 1);
          await call(`model-${i}`);
          await tick(i + 2);
          expect(getTags().user_id).toBe(`user-${i}`);
        }),
      ),
    );
    expect(collector.llmSpans()).toHaveLength(200);
    for (let i = 0; i < 200; i++) expect(tagsOf(`model-${i}`)).toEqual({ user_id: `user-${i}`, parity: i % 2 === 0 });
  });

  it('nested scopes merge, inner wins, and the outer scope is restored after', async () => {
    collector.clear();
    await withTags({ tenant: 'acme', feature: 'outer' }, async () => {
      await withTags({ feature: 'inner', user_id: 'u1' }, async () => {
        expect(getTags()).toEqual({ tenant: 'acme', feature: 'inner', user_id: 'u1' });
        await call('nested-inner');
      });
      expect(getTags()).toEqual({ tenant: 'acme', feature: 'outer' });
      await call('nested-outer');
    });
    expect(getTags()).toEqual({});
    expect(tagsOf('nested-inner')).toEqual({ tenant: 'acme', feature: 'inner', user_id: 'u1' });
    expect(tagsOf('nested-outer')).toEqual({ tenant: 'acme', feature: 'outer' });
  });

  it('survives timers and event emitters', async () => {
    collector.clear();
    const emitter = new EventEmitter();
    const done = once(emitter, 'done');
    withTags({ via: 'emitter' }, () => {
      emitter.on('go', () => void call('via-emitter').then(() => emitter.emit('done')));
      setTimeout(() => emitter.emit('go'), 0);
    });
    await done;
    await new Promise<void>((resolve) =>
      withTags({ via: 'timer' }, () => {
        setTimeout(() => void call('via-timer').then(resolve), 0);
      }),
    );
    expect(tagsOf('via-emitter')).toEqual({ via: 'emitter' });
    expect(tagsOf('via-timer')).toEqual({ via: 'timer' });
  });

  it('survives streams consumed inside the scope', async () => {
    collector.clear();
    await withTags({ via: 'stream' }, async () => {
      const source = Readable.from(['a', 'b']);
      for await (const part of source) await call(`via-stream-${String(part)}`);
    });
    expect(tagsOf('via-stream-a')).toEqual({ via: 'stream' });
    expect(tagsOf('via-stream-b')).toEqual({ via: 'stream' });
  });

  it('tags each request of an HTTP server by its own user, under concurrency', async () => {
    collector.clear();
    const app = createServer((req, res) => {
      const user = req.headers['x-user'] as string;
      withTags({ user_id: user }, async () => {
        await call(`http-${user}`);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const port = (app.address() as AddressInfo).port;
    const get = (user: string) =>
      new Promise<void>((resolve, reject) => {
        const req = httpRequest({ port, host: '127.0.0.1', headers: { 'x-user': user } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => get(`u${i}`)));
    await new Promise<void>((resolve) => app.close(() => resolve()));
    for (let i = 0; i < 20; i++) expect(tagsOf(`http-u${i}`)).toEqual({ user_id: `u${i}` });
  });

  it('returns what fn returns (sync and async) and rethrows what fn throws', async () => {
    expect(withTags({ a: 1 }, () => 42)).toBe(42);
    await expect(withTags({ a: 1 }, async () => 'x')).resolves.toBe('x');
    expect(() =>
      withTags({ a: 1 }, () => {
        throw new RangeError('mine');
      }),
    ).toThrow(RangeError);
  });
});
