// An ESM application that sends LLM calls with node:http, node:https and node:http2 directly, through bindings it
// imported BEFORE the instrumentation was registered: named imports (`import { request } from 'node:http'`), a
// namespace import, `connect` imported by name, and an HTTP/2 session opened before registration. Run plain (it
// registers after its imports) or with `--import @llm-cost/instrumentation/register` (registration is then a no-op).
// Env: URLS (JSON: http, https, h2c), TLS_CA (file), HOSTS (JSON); spans go over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT).
import { readFileSync } from 'node:fs';
import * as httpNamespace from 'node:http';
import { request } from 'node:http';
import { connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { registerLlmCostInstrumentation, withTags } from '@llm-cost/instrumentation';

const urls = JSON.parse(process.env.URLS);
const ca = readFileSync(process.env.TLS_CA);
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
const streamBody = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] });

// A client made at module load: its HTTP/2 session exists before registration.
const early = connect(urls.h2c);
const handle = registerLlmCostInstrumentation({ hosts: JSON.parse(process.env.HOSTS) });

function http1(send, url, options = {}) {
  return new Promise((resolve, reject) => {
    const req = send(`${url}/v1/chat/completions`, { method: 'POST', ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve(JSON.parse(text).usage.prompt_tokens));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function http2(session, payload) {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' });
    let bytes = 0;
    stream.on('data', (chunk) => (bytes += chunk.length));
    stream.on('end', () => resolve(bytes));
    stream.on('error', reject);
    stream.end(payload);
  });
}

const results = {};
results['named-request'] = await withTags({ call: 'named-request' }, () => http1(request, urls.http));
results['namespace-request'] = await withTags({ call: 'namespace-request' }, () => http1(httpNamespace.request, urls.http));
results['named-https-request'] = await withTags({ call: 'named-https-request' }, () => http1(httpsRequest, urls.https, { ca }));
results['early-h2-session'] = await withTags({ call: 'early-h2-session' }, () => http2(early, streamBody));
const later = connect(urls.h2c);
results['named-h2-connect'] = await withTags({ call: 'named-h2-connect' }, () => http2(later, body));
early.close();
later.close();
await handle.shutdown();
process.stdout.write(JSON.stringify(results));
