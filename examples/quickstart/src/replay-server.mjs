// A local stand-in for the providers, used when no API key is set: one loopback listener per provider, answering
// with the sample responses in ../replay (hand-written in each provider's response shape). SSE bodies are sent
// event by event, as the providers do, so the instrumentation's stream path is exercised too.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const replayDir = fileURLToPath(new URL('../replay/', import.meta.url));
const sample = (name) => readFileSync(replayDir + name, 'utf8');

/** Which sample answers which request, per provider. */
const routes = {
  openai(req, body) {
    if (req.url.startsWith('/v1/embeddings')) return json(sample('openai-embeddings.json'));
    if (req.url.startsWith('/v1/chat/completions')) {
      return body.stream ? sse(sample('openai-chat-stream.sse')) : json(sample('openai-chat.json'));
    }
  },
  anthropic(req, body) {
    if (req.url.startsWith('/v1/messages')) {
      return body.stream ? sse(sample('anthropic-messages-stream.sse')) : json(sample('anthropic-messages.json'));
    }
  },
  gemini(req) {
    if (req.url.includes(':streamGenerateContent')) return sse(sample('gemini-stream-generate-content.sse'));
    if (req.url.includes(':generateContent')) return json(sample('gemini-generate-content.json'));
  },
  openrouter(req) {
    if (req.url.startsWith('/api/v1/chat/completions')) return json(sample('openrouter-chat.json'));
  },
};

const json = (text) => ({ type: 'application/json', events: [text] });
const sse = (text) => ({ type: 'text/event-stream', events: text.split(/(?<=\n\n)/) });

function listen(provider) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      let body = {};
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        // Not JSON: answer by path alone.
      }
      const answer = routes[provider](req, body);
      if (!answer) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `replay server has no sample for ${req.method} ${req.url}` } }));
        return;
      }
      res.writeHead(200, { 'content-type': answer.type });
      for (const event of answer.events) {
        res.write(event);
        if (answer.events.length > 1) await new Promise((r) => setTimeout(r, 5));
      }
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ provider, server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

/** Starts one listener per provider; resolves to `{ origins: { openai, anthropic, gemini, openrouter }, close() }`. */
export async function startReplayServers() {
  const listeners = await Promise.all(Object.keys(routes).map(listen));
  return {
    origins: Object.fromEntries(listeners.map((l) => [l.provider, l.origin])),
    close: () => Promise.all(listeners.map((l) => new Promise((r) => l.server.close(r)))),
  };
}
