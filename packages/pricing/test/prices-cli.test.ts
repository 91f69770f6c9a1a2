/**
 * `llm-cost prices check|sync`: local files and a loopback HTTP server serving price data (the real v2 file from
 * the shared folder, and variants of it).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPriceSnapshot, createPricer, runPricesCli, syncPriceSnapshot } from '../src/index.js';
import { reportMissing, sharedPriceFile, sharedPriceFileExists } from './support/shared.js';

if (!sharedPriceFileExists) reportMissing('The shared genai-prices data file', sharedPriceFile);

const dir = mkdtempSync(join(tmpdir(), 'llm-cost-prices-cli-'));

type Data = Array<{ id: string; models: Array<{ id: string; prices: Record<string, unknown> }> }>;

function readShared(): Data {
  return JSON.parse(readFileSync(sharedPriceFile, 'utf8')) as Data;
}

function write(name: string, data: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(data));
  return path;
}

function model(data: Data, provider: string, id: string): { prices: Record<string, unknown> } {
  const found = data.find((p) => p.id === provider)?.models.find((m) => m.id === id);
  if (!found) throw new Error(`${provider}/${id} not in the data`);
  return found;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runPricesCli(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe.runIf(sharedPriceFileExists)('prices check', () => {
  it('reports no drift and exits 0 when the data is the same', async () => {
    const base = sharedPriceFile;
    const { code, out } = await cli('prices', 'check', '--from', base, '--against', base);
    expect(code).toBe(0);
    expect(out).toMatch(/No drift: \d+ model\(s\) compared\./);
  });

  it('prints each changed price per model and exits 1 on drift', async () => {
    const data = readShared();
    const sonnet = model(data, 'anthropic', 'claude-sonnet-4-0');
    const before = sonnet.prices.output_mtok;
    sonnet.prices.output_mtok = 18;
    data.find((p) => p.id === 'openai')?.models.push({ id: 'gpt-new', match: { equals: 'gpt-new' }, prices: { input_mtok: 1 } } as never);
    const newer = write('newer.json', data);
    const { code, out } = await cli('check', `--from=${newer}`, '--against', sharedPriceFile);
    expect(code).toBe(1);
    expect(out).toContain(`~ anthropic/claude-sonnet-4-0\n    output_mtok: ${String(before)} -> 18\n`);
    expect(out).toContain('+ openai/gpt-new (added)');
    expect(out).toContain('Drift: 2 model(s) differ: 1 added, 0 removed, 1 changed.');
  });

  it('compares with the bundled data by default and returns the diff as data', async () => {
    const result = await checkPriceSnapshot({ from: sharedPriceFile });
    expect(result.againstVersion).toBe('genai-prices@0.1.8');
    expect(result.fromVersion).toMatch(/^snapshot:[0-9a-f]{12}$/);
    // The shared file and the bundled data are different releases of the data.
    expect(result.drift).toBe(true);
    expect(result.changes.length).toBeGreaterThan(0);
  });
});

describe.runIf(sharedPriceFileExists)('prices sync', () => {
  let server: Server;
  let baseUrl = '';
  const bodies = new Map<string, string>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = bodies.get(req.url ?? '');
      if (body === undefined) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    bodies.set('/data.json', readFileSync(sharedPriceFile, 'utf8'));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches over HTTP, validates, and writes a snapshot the pricer loads', async () => {
    const to = join(dir, 'sync-ok', 'prices.json');
    // Against itself: no large moves; the shared file passes validation and the reference calls.
    const result = await syncPriceSnapshot({ from: `${baseUrl}/data.json`, to, against: sharedPriceFile });
    expect(result).toMatchObject({ ok: true, written: true, problems: [], referenceFailures: [], largeMoves: [], changes: [] });
    expect(createPricer({ snapshotFile: to }).priceVersion).toBe(result.priceVersion);
  });

  it('fails on an unknown price field and writes nothing', async () => {
    const data = readShared();
    model(data, 'openai', 'gpt-4o').prices.output_hologram_mtok = 40;
    bodies.set('/unknown-field.json', JSON.stringify(data));
    const to = join(dir, 'sync-unknown', 'prices.json');
    const { code, err } = await cli('sync', '--from', `${baseUrl}/unknown-field.json`, '--to', to);
    expect(code).toBe(1);
    expect(err).toContain('invalid: openai/gpt-4o: unknown price key "output_hologram_mtok"');
    expect(err).toContain('Not synced (1 validation problem(s))');
    expect(existsSync(to)).toBe(false);
  });

  it('flags prices that moved more than 3x and refuses them until confirmed', async () => {
    const current = write('current.json', readShared());
    const data = readShared();
    model(data, 'openai', 'gpt-4o-mini').prices.input_mtok = 0.6; // 0.15 -> 0.6 is 4x
    model(data, 'openai', 'gpt-4o').prices.input_mtok = 7.5; // 2.5 -> 7.5 is exactly 3x: not flagged
    const moved = write('moved.json', data);
    const to = join(dir, 'sync-moved', 'prices.json');

    const refused = await syncPriceSnapshot({ from: moved, to, against: current });
    expect(refused.ok).toBe(false);
    expect(refused.written).toBe(false);
    expect(refused.largeMoves).toEqual([{ model: 'openai/gpt-4o-mini', price: 'input_mtok', from: '0.15', to: '0.6' }]);
    expect(existsSync(to)).toBe(false);

    const { code, err } = await cli('sync', '--from', moved, '--to', to);
    // Without --against the CLI compares with the bundled data, where gpt-4o-mini is also 0.15.
    expect(code).toBe(1);
    expect(err).toContain('moved more than 3x: openai/gpt-4o-mini input_mtok: 0.15 -> 0.6');
    expect(err).toContain('re-run with --allow-large-moves');

    const accepted = await cli('sync', '--from', moved, '--to', to, '--allow-large-moves');
    expect(accepted.code).toBe(0);
    expect(accepted.out).toMatch(/Synced snapshot:[0-9a-f]{12} to /);
    // 1000 x 0.6 = 600 µ: the synced price is live
    expect(createPricer({ snapshotFile: to }).priceUsage({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1000, outputTokens: 0 } }).totalCost).toBe(
      '0.000600000',
    );
  });

  it('fails when a reference price no longer computes', async () => {
    const data = readShared();
    const anthropic = data.find((p) => p.id === 'anthropic');
    if (anthropic) anthropic.models = anthropic.models.filter((m) => !m.id.startsWith('claude-sonnet-4-5'));
    const broken = write('broken-reference.json', data);
    const to = join(dir, 'sync-reference', 'prices.json');
    const result = await syncPriceSnapshot({ from: broken, to, against: sharedPriceFile });
    expect(result.ok).toBe(false);
    expect(result.referenceFailures).toEqual(['anthropic claude-sonnet-4-5-20250929: unknown_model']);
    expect(existsSync(to)).toBe(false);
  });

  it('an unreachable source exits 2 with the reason', async () => {
    const { code, err } = await cli('sync', '--from', `${baseUrl}/missing.json`, '--to', join(dir, 'x.json'));
    expect(code).toBe(2);
    expect(err).toContain('HTTP 404');
  });
});

describe('prices CLI usage', () => {
  it('exits 2 on an unknown command or option, and 0 for --help', async () => {
    expect((await cli('prices', 'frobnicate')).code).toBe(2);
    expect((await cli('check', '--frm', 'x')).err).toContain('unknown option --frm');
    const help = await cli('prices', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('llm-cost prices sync');
  });

  it('sync without a destination says how to give one', async () => {
    const saved = process.env.LLM_COST_PRICES_FILE;
    delete process.env.LLM_COST_PRICES_FILE;
    try {
      const { code, err } = await cli('sync', '--from', 'x.json');
      expect(code).toBe(2);
      expect(err).toContain('sync needs --to FILE (or LLM_COST_PRICES_FILE set)');
    } finally {
      if (saved !== undefined) process.env.LLM_COST_PRICES_FILE = saved;
    }
  });
});
