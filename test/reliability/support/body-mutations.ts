/**
 * Hostile response bodies for the property tests: a recorded body changed by a random sequence of mutations that
 * real networks, proxies and providers produce (CRLF or CR line ends, SSE comments, a missing `[DONE]`, truncation,
 * invalid UTF-8, bytes of noise, JSON values replaced or removed, a duplicated stream, a byte-order mark), or pure
 * noise and random JSON; then cut into chunks at random offsets.
 */
import fc from 'fast-check';

export type Mutation =
  | { kind: 'crlf' }
  | { kind: 'cr' }
  | { kind: 'comments'; at: number; text: string }
  | { kind: 'drop-done' }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'json'; node: number; value: unknown; remove: boolean }
  | { kind: 'duplicate' }
  | { kind: 'bom' };

/** Byte sequences that are not valid UTF-8: stray continuation and lead bytes, overlongs, surrogates, > U+10FFFF. */
export const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'crlf' }),
  fc.constant<Mutation>({ kind: 'cr' }),
  fc.record({
    kind: fc.constant('comments' as const),
    at: fc.nat(),
    text: fc.constantFrom(': keep-alive\n\n', ': OPENROUTER PROCESSING\n\n', ':\n\n', 'event: ping\ndata: {}\n\n', 'retry: 1000\n\n'),
  }),
  fc.constant<Mutation>({ kind: 'drop-done' }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(fc.constantFrom(...INVALID_UTF8).map((b) => Uint8Array.from(b)), fc.uint8Array({ minLength: 1, maxLength: 24 })),
  }),
  fc.record({
    kind: fc.constant('json' as const),
    node: fc.nat(),
    value: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(-1, 1e308, -0, 2 ** 53 + 1, 0.5, '12', null, [], {}, '\u0000', '\ud800'),
    ),
    remove: fc.boolean(),
  }),
  fc.constant<Mutation>({ kind: 'duplicate' }),
  fc.constant<Mutation>({ kind: 'bom' }),
);

/** Counts JSON nodes in DFS order and replaces (or removes) node number `index % count`. */
function mutateJson(root: unknown, index: number, value: unknown, remove: boolean): unknown {
  const nodes: Array<{ parent: unknown; key: string | number }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((child, i) => (nodes.push({ parent: node, key: i }), walk(child)));
    else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) nodes.push({ parent: node, key }), walk(child);
    }
  };
  walk(root);
  if (nodes.length === 0) return value;
  const target = nodes[index % nodes.length]!;
  const parent = target.parent as Record<string | number, unknown>;
  if (remove && !Array.isArray(parent)) delete parent[target.key];
  else parent[target.key] = value;
  return root;
}

function mutateJsonText(text: string, m: Extract<Mutation, { kind: 'json' }>): string | undefined {
  try {
    return JSON.stringify(mutateJson(JSON.parse(text) as unknown, m.node, m.value, m.remove));
  } catch {
    return undefined;
  }
}

export function applyMutation(body: Buffer, m: Mutation): Buffer {
  switch (m.kind) {
    case 'crlf':
      return Buffer.from(body.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
    case 'cr':
      return Buffer.from(body.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1');
    case 'comments': {
      const text = body.toString('latin1');
      const boundaries = [0, ...[...text.matchAll(/\n\n/g)].map((match) => match.index + 2)];
      const at = boundaries[m.at % boundaries.length]!;
      return Buffer.from(text.slice(0, at) + m.text + text.slice(at), 'latin1');
    }
    case 'drop-done':
      return Buffer.from(body.toString('latin1').replace(/data: ?\[DONE\]\r?\n?\r?\n?/g, ''), 'latin1');
    case 'truncate':
      return body.subarray(0, m.at % (body.length + 1));
    case 'insert': {
      const at = m.at % (body.length + 1);
      return Buffer.concat([body.subarray(0, at), m.bytes, body.subarray(at)]);
    }
    case 'json': {
      const text = body.toString('utf8');
      const whole = mutateJsonText(text, m);
      if (whole !== undefined) return Buffer.from(whole, 'utf8');
      // An event stream: mutate one `data:` payload.
      const lines = text.split('\n');
      const data = lines.map((line, i) => [line, i] as const).filter(([line]) => line.startsWith('data: {'));
      if (data.length === 0) return body;
      const [line, index] = data[m.node % data.length]!;
      const mutated = mutateJsonText(line.slice(6), { ...m, node: Math.floor(m.node / data.length) });
      if (mutated === undefined) return body;
      lines[index] = `data: ${mutated}`;
      return Buffer.from(lines.join('\n'), 'utf8');
    }
    case 'duplicate':
      return Buffer.concat([body, body]);
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
  }
}

export interface HostileBody {
  body: Buffer;
  mutations: string[];
}

/** Counterexamples print as the mutations and the body in base64, not as a byte array. */
function printable(hostile: HostileBody): HostileBody {
  return Object.assign(hostile, {
    [fc.toStringMethod]: () => `${hostile.mutations.join('+') || 'recorded'}:${hostile.body.toString('base64')}`,
  });
}

/** A recorded body, mutated 0 to 4 times; sometimes noise or random JSON instead. */
export function hostileBody(recorded: Buffer): fc.Arbitrary<HostileBody> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(mutationArb, { maxLength: 4 }).map((ms) => ({
      body: ms.reduce((b, m) => applyMutation(b, m), recorded),
      mutations: ms.map((m) => m.kind),
    })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 1500 }).map((b) => ({ body: Buffer.from(b), mutations: ['noise'] })) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((j) => ({ body: Buffer.from(j), mutations: ['random-json'] })) },
  ).map(printable);
}

/** Chunk boundaries: random offsets, or every `n` bytes (events straddle chunks, even inside UTF-8 characters). */
export const chunkingArb = fc.oneof(
  fc.array(fc.nat(), { maxLength: 12 }).map((cuts) => ({ kind: 'cuts' as const, cuts })),
  fc.integer({ min: 1, max: 64 }).map((every) => ({ kind: 'every' as const, every })),
);

export function chunk(body: Buffer, chunking: { kind: 'cuts'; cuts: number[] } | { kind: 'every'; every: number }): Buffer[] {
  if (body.length === 0) return [];
  if (chunking.kind === 'every') {
    const parts: Buffer[] = [];
    for (let at = 0; at < body.length; at += chunking.every) parts.push(body.subarray(at, at + chunking.every));
    return parts;
  }
  const cuts = [...new Set(chunking.cuts.map((c) => c % body.length).filter((c) => c > 0))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) parts.push(body.subarray(start, cut)), (start = cut);
  parts.push(body.subarray(start));
  return parts;
}

/** A value from `arb` once in `every` draws, `null` otherwise (an override that should stay the exception). */
export function sometimes<T>(arb: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: every - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}
