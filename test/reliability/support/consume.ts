/**
 * The ways applications read a response body, each reduced to a comparable outcome: what the application got (the
 * bytes, the text, the parsed value) or the error it saw (class and message). The same request read the same way
 * with and without the instrumentation must give equal outcomes.
 */
export const READ_MODES = ['reader', 'for-await', 'text', 'json', 'array-buffer', 'blob', 'tee', 'clone', 'cancel-early', 'node-stream'] as const;
export type ReadMode = (typeof READ_MODES)[number];

export type Outcome = { ok: true; value: unknown; bytes?: Buffer } | { ok: false; error: string };

function errorOutcome(error: unknown): Outcome {
  const e = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  return { ok: false, error: `${String(e?.name)}: ${String(e?.message)}${e?.cause?.code ? ` (${String(e.cause.code)})` : ''}` };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** Reads `response` the way `mode` says; never throws. */
export async function consume(response: Response, mode: ReadMode): Promise<Outcome> {
  try {
    switch (mode) {
      case 'reader': {
        const bytes = response.body === null ? Buffer.alloc(0) : await readAll(response.body);
        return { ok: true, value: bytes.length, bytes };
      }
      case 'for-await': {
        const parts: Uint8Array[] = [];
        if (response.body !== null) for await (const part of response.body as unknown as AsyncIterable<Uint8Array>) parts.push(part);
        const bytes = Buffer.concat(parts);
        return { ok: true, value: bytes.length, bytes };
      }
      case 'text':
        return { ok: true, value: await response.text() };
      case 'json':
        return { ok: true, value: await response.json() };
      case 'array-buffer': {
        const bytes = Buffer.from(await response.arrayBuffer());
        return { ok: true, value: bytes.length, bytes };
      }
      case 'blob': {
        const bytes = Buffer.from(await (await response.blob()).arrayBuffer());
        return { ok: true, value: bytes.length, bytes };
      }
      case 'tee': {
        if (response.body === null) return { ok: true, value: 0, bytes: Buffer.alloc(0) };
        const [a, b] = response.body.tee();
        const [x, y] = await Promise.all([readAll(a), readAll(b)]);
        return { ok: true, value: x.equals(y), bytes: x };
      }
      case 'clone': {
        const copy = response.clone();
        const [text, bytes] = await Promise.all([copy.text(), response.arrayBuffer().then((ab) => Buffer.from(ab))]);
        return { ok: true, value: text === bytes.toString('utf8'), bytes };
      }
      case 'cancel-early': {
        if (response.body === null) return { ok: true, value: 'empty' };
        const reader = response.body.getReader();
        await reader.read();
        await reader.cancel();
        return { ok: true, value: 'cancelled' };
      }
      case 'node-stream': {
        const { Readable } = await import('node:stream');
        if (response.body === null) return { ok: true, value: 0, bytes: Buffer.alloc(0) };
        const parts: Buffer[] = [];
        for await (const part of Readable.fromWeb(response.body as never)) parts.push(part as Buffer);
        const bytes = Buffer.concat(parts);
        return { ok: true, value: bytes.length, bytes };
      }
    }
  } catch (error) {
    return errorOutcome(error);
  }
}

/**
 * The request itself: fetch's own rejection is an outcome too, and so is a body that never settles (`hung`, after
 * `deadlineMs`), so that a hang shows which side hung instead of timing the whole property out.
 */
export async function fetchAndConsume(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  mode: ReadMode,
  deadlineMs = 8000,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: 'hung' }), deadlineMs);
  });
  try {
    return await Promise.race([settle(fetchFn, url, init, mode), hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function settle(fetchFn: typeof fetch, url: string, init: RequestInit, mode: ReadMode): Promise<Outcome> {
  let response: Response;
  try {
    response = await fetchFn(url, init);
  } catch (error) {
    return errorOutcome(error);
  }
  const outcome = await consume(response, mode);
  return outcome.ok ? { ...outcome, value: { status: response.status, value: outcome.value } } : outcome;
}
