/**
 * The `node:http` / `node:http2` patch follows the handle: `disable()` puts Node's own functions back (only ours: a
 * wrapper someone put around ours stays, passing through), and `enable()` patches again.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpanCollector, fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, type LlmCostInstrumentation } from '../src/index.js';

const collector = createSpanCollector();
const node = { request: http.request, get: http.get, httpsRequest: https.request, httpsGet: https.get };
let sessionProto: { request: unknown };
let nodeSessionRequest: unknown;
let server: ProviderServer;
let handle: LlmCostInstrumentation;

beforeAll(async () => {
  server = await startProviderServer(() => fixtureReply(projectFixture('openai/chat-completions')));
  const session = http2.connect('http://127.0.0.1:1');
  session.on('error', () => undefined);
  sessionProto = Object.getPrototypeOf(session) as { request: unknown };
  nodeSessionRequest = sessionProto.request;
  session.destroy();
  handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: { [server.host]: 'openai' } });
});
afterAll(() => server.close());

function post(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}/v1/chat/completions`, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'gpt-4o-mini', messages: [] }));
  });
}

describe('the node:http patch follows the handle', () => {
  it('patches request / get of http and https and the HTTP/2 session request at registration', async () => {
    expect(http.request).not.toBe(node.request);
    expect(http.get).not.toBe(node.get);
    expect(https.request).not.toBe(node.httpsRequest);
    expect(https.get).not.toBe(node.httpsGet);
    expect(sessionProto.request).not.toBe(nodeSessionRequest);
    collector.clear();
    await post();
    expect(await collector.waitForLlmSpans(1)).toHaveLength(1);
  });

  it('disable() puts Node’s functions back and records nothing; enable() patches again', async () => {
    handle.disable();
    expect(http.request).toBe(node.request);
    expect(http.get).toBe(node.get);
    expect(https.request).toBe(node.httpsRequest);
    expect(https.get).toBe(node.httpsGet);
    expect(sessionProto.request).toBe(nodeSessionRequest);
    collector.clear();
    await post();
    await handle.forceFlush();
    expect(collector.llmSpans()).toEqual([]);
    handle.enable();
    expect(http.request).not.toBe(node.request);
    await post();
    expect(await collector.waitForLlmSpans(1)).toHaveLength(1);
  });

  it('a wrapper put around ours stays in place on disable(), and passes through', async () => {
    const ours = http.request;
    const theirs = function request(this: unknown, ...args: unknown[]) {
      return (ours as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    } as typeof http.request;
    http.request = theirs;
    handle.disable();
    expect(http.request).toBe(theirs);
    collector.clear();
    await post();
    await handle.forceFlush();
    expect(collector.llmSpans()).toEqual([]);
    http.request = node.request;
    handle.enable();
  });
});
