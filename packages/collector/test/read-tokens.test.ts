import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseReadToken, TokenTable } from '../src/auth/tokens.js';
import { collectorConfigFromArgs } from '../src/config/collector-config.js';
import { CollectorConfigError } from '../src/errors.js';

const GLOBAL = 'global-reader-0123456789abcdef';
const ACME = 'acme-reader-0123456789abcdef';

describe('tenant-scoped read tokens', () => {
  it('parses <token>, <tenant>=<token> and *=<token>', () => {
    expect(parseReadToken(GLOBAL)).toEqual({ tenant: undefined, token: GLOBAL });
    expect(parseReadToken(`acme=${ACME}`)).toEqual({ tenant: 'acme', token: ACME });
    expect(parseReadToken(`*=${GLOBAL}=`)).toEqual({ tenant: undefined, token: `${GLOBAL}=` });
    // A base64 token ending in padding stays one global token.
    expect(parseReadToken('c2VjcmV0LXRva2VuLWZvci1yZWFkaW5n==')).toEqual({ tenant: undefined, token: 'c2VjcmV0LXRva2VuLWZvci1yZWFkaW5n==' });
  });

  it('authenticates a read token with its tenant scope; ingest tokens never read', () => {
    const table = new TokenTable([{ tenant: 'acme', token: 'acme-ingest-0123456789abcdef' }], [GLOBAL, `acme=${ACME}`]);
    expect(table.authenticateRead(`Bearer ${GLOBAL}`)).toEqual({ ok: true, tenant: undefined });
    expect(table.authenticateRead(`Bearer ${ACME}`)).toEqual({ ok: true, tenant: 'acme' });
    expect(table.authenticateRead('Bearer acme-ingest-0123456789abcdef')).toEqual({ ok: false, reason: 'invalid' });
    expect(table.authenticateRead(undefined)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a short token, a bad tenant, and one token with two scopes', () => {
    expect(() => new TokenTable([], ['acme=short'])).toThrow(CollectorConfigError);
    expect(() => new TokenTable([], [{ tenant: 'no spaces', token: ACME }])).toThrow(/not a valid tenant id/);
    expect(() => new TokenTable([], [`acme=${ACME}`, `globex=${ACME}`])).toThrow(/two tenant scopes/);
  });

  it('reads them from flags, the environment and the tokens file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-cost-tokens-'));
    try {
      const file = join(dir, 'tokens');
      writeFileSync(file, `acme=acme-ingest-0123456789abcdef\nread-token globex=${ACME}  # globex's dashboard\nread-token ${GLOBAL}\n`);
      const fromFile = collectorConfigFromArgs(['--tokens-file', file], {});
      expect(fromFile.options.tokens).toEqual([{ tenant: 'acme', token: 'acme-ingest-0123456789abcdef' }]);
      expect(fromFile.options.readTokens).toEqual([`globex=${ACME}`, GLOBAL]);
      const fromFlags = collectorConfigFromArgs(['--read-token', `acme=${ACME}`, '--read-token', GLOBAL], {});
      expect(fromFlags.options.readTokens).toEqual([`acme=${ACME}`, GLOBAL]);
      const fromEnv = collectorConfigFromArgs([], { LLM_COST_COLLECTOR_READ_TOKENS: `acme=${ACME},${GLOBAL}` });
      expect(fromEnv.options.readTokens).toEqual([`acme=${ACME}`, GLOBAL]);
      const table = new TokenTable(fromFile.options.tokens ?? [], fromFile.options.readTokens ?? []);
      expect(table.authenticateRead(`Bearer ${ACME}`)).toEqual({ ok: true, tenant: 'globex' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a trace link template without {traceId}', async () => {
    expect(() => collectorConfigFromArgs(['--trace-url', 'http://jaeger/trace/'], {})).not.toThrow();
    const { checkTraceUrl } = await import('../src/dashboard/trace-url.js');
    expect(() => checkTraceUrl('http://jaeger/trace/')).toThrow(/containing \{traceId\}/);
    expect(() => checkTraceUrl('javascript:alert(1)//{traceId}')).toThrow(/http\(s\) URL/);
    expect(checkTraceUrl('https://tempo.example/trace/{traceId}')).toBe('https://tempo.example/trace/{traceId}');
  });
});
