// A CommonJS application using node:http directly: through the module object, and through a copy of `request` taken
// at load time, before registration (`const { request } = require('node:http')`). Run plain (it registers after
// taking the copy: only the module-object call can be captured) or with `--require @llm-cost/instrumentation/register`
// (registered first: both are). Env: URLS (JSON: http), HOSTS (JSON); spans go over OTLP.
'use strict';
const http = require('node:http');
const { request: copiedRequest } = require('node:http');
const { registerLlmCostInstrumentation, withTags } = require('@llm-cost/instrumentation');

const urls = JSON.parse(process.env.URLS);
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
const handle = registerLlmCostInstrumentation({ hosts: JSON.parse(process.env.HOSTS) });

function call(send) {
  return new Promise((resolve, reject) => {
    const req = send(`${urls.http}/v1/chat/completions`, { method: 'POST' }, (res) => {
      const parts = [];
      res.on('data', (chunk) => parts.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(parts).toString('utf8')).usage.prompt_tokens));
    });
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const results = {};
  results['module-request'] = await withTags({ call: 'module-request' }, () => call(http.request));
  results['copied-request'] = await withTags({ call: 'copied-request' }, () => call(copiedRequest));
  await handle.shutdown();
  process.stdout.write(JSON.stringify(results));
})();
