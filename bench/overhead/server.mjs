#!/usr/bin/env node
/**
 * The loopback "provider" of the overhead benchmark, in its own process (as a real provider is): answers
 * `POST /v1/chat/completions` with the precomputed completion, or with the 52-event stream when the body asks for one
 * (each event written on its own turn of the event loop, so they leave as separate chunks, as a real stream's do), and
 * a second port answering any request with a small JSON body (the non-LLM call to "another host"). Sends
 * `{ port, otherPort }` to its parent over IPC once listening.
 */
import { createServer } from 'node:http';

import { COMPLETION_BYTES, JSON_HEADERS, SSE_HEADERS, STREAM_CHUNKS, wantsStream } from './responses.mjs';

const OTHER_BODY = Buffer.from('{"ok":true}');

function streamTo(res, index) {
  if (index >= STREAM_CHUNKS.length) {
    res.end();
    return;
  }
  res.write(STREAM_CHUNKS[index]);
  setImmediate(streamTo, res, index + 1);
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (part) => (body += part));
  req.on('end', () => {
    if (wantsStream(body)) {
      res.writeHead(200, SSE_HEADERS);
      streamTo(res, 0);
    } else {
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': COMPLETION_BYTES.byteLength });
      res.end(COMPLETION_BYTES);
    }
  });
});
server.keepAliveTimeout = 60_000;
// A second listener is the "other host" of the non-LLM calls (another authority: not in the instrumented host table).
const other = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': OTHER_BODY.length });
  res.end(OTHER_BODY);
});
other.keepAliveTimeout = 60_000;
const listening = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s.address().port)));
const [port, otherPort] = await Promise.all([listening(server), listening(other)]);
if (process.send) process.send({ port, otherPort });
else process.stdout.write(`provider http://127.0.0.1:${port}, other host http://127.0.0.1:${otherPort}\n`);
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
