import { createHash } from 'node:crypto';

import { CollectorConfigError } from '../errors.js';

/** One ingest token and the tenant every span sent with it is billed to. */
export interface TenantToken {
  tenant: string;
  token: string;
}

/**
 * A read token, as configured: `<token>` reads every tenant; `<tenant>=<token>` reads that tenant only (the
 * dashboard, `/api/` and `/v1/query` then answer with that tenant's rows and nothing else); `*=<token>` is a global
 * token written explicitly (for a token that itself contains `=`). Or the parsed object.
 */
export type ReadTokenEntry = string | { tenant?: string; token: string };

/** Result of checking a request's `Authorization` header. For a read request, `tenant` is the token's tenant scope. */
export type AuthResult =
  | { ok: true; tenant: string | undefined }
  | { ok: false; reason: 'missing' | 'invalid' };

const MIN_TOKEN_LENGTH = 16;
const TENANT = /^[\p{L}\p{N}_.:@\/-]{1,128}$/u;

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Bearer tokens of the collector. Tokens are kept only as SHA-256 digests and looked up by digest, so the table never
 * holds a token in clear after construction and a lookup's timing says nothing about how much of a token matched.
 */
export class TokenTable {
  private readonly tenants = new Map<string, string>();
  /** Read token digest -> the tenant it is bound to ('' for a global reader). */
  private readonly readers = new Map<string, string>();

  constructor(ingest: readonly TenantToken[], readTokens: readonly ReadTokenEntry[] = []) {
    for (const { tenant, token } of ingest) {
      checkToken(token, 'ingest token');
      checkTenant(tenant);
      const key = digest(token);
      const existing = this.tenants.get(key);
      if (existing !== undefined && existing !== tenant) {
        throw new CollectorConfigError(`one token is configured for two tenants (${existing}, ${tenant})`);
      }
      this.tenants.set(key, tenant);
    }
    for (const entry of readTokens) {
      const { tenant, token } = parseReadToken(entry);
      checkToken(token, 'read token');
      if (tenant !== undefined) checkTenant(tenant);
      const key = digest(token);
      const existing = this.readers.get(key);
      if (existing !== undefined && existing !== (tenant ?? '')) {
        throw new CollectorConfigError('one read token is configured with two tenant scopes');
      }
      this.readers.set(key, tenant ?? '');
    }
  }

  /** True when any token is configured: requests must then authenticate. */
  get enabled(): boolean {
    return this.tenants.size > 0 || this.readers.size > 0;
  }

  /** Tenants configured, for the start-up log line (never the tokens). */
  get tenantNames(): string[] {
    return [...new Set(this.tenants.values())].sort();
  }

  /** Checks an ingest request. Without configured tokens every request is accepted with no tenant override. */
  authenticateIngest(authorization: string | undefined): AuthResult {
    if (this.tenants.size === 0 && this.readers.size === 0) return { ok: true, tenant: undefined };
    const token = bearer(authorization);
    if (token === undefined) return { ok: false, reason: 'missing' };
    const tenant = this.tenants.get(digest(token));
    return tenant === undefined ? { ok: false, reason: 'invalid' } : { ok: true, tenant };
  }

  /**
   * Checks a read request (`/v1/query`, the dashboard's `/api/`): allowed with a read token, or with no tokens
   * configured at all (the collector then listens on loopback only). Ingest tokens cannot read: a tenant's token must
   * not reveal other tenants' spend. `tenant` is set when the read token is bound to one tenant: the caller must then
   * answer with that tenant's rows only.
   */
  authenticateRead(authorization: string | undefined): AuthResult {
    if (!this.enabled) return { ok: true, tenant: undefined };
    const token = bearer(authorization);
    if (token === undefined) return { ok: false, reason: 'missing' };
    const scope = this.readers.get(digest(token));
    if (scope === undefined) return { ok: false, reason: 'invalid' };
    return { ok: true, tenant: scope === '' ? undefined : scope };
  }
}

function checkTenant(tenant: string): void {
  if (!TENANT.test(tenant)) {
    throw new CollectorConfigError(`tenant "${tenant.slice(0, 40)}" is not a valid tenant id (1-128 letters, digits or _ . : @ / -)`);
  }
}

/**
 * `acme=<token>` is bound to tenant acme, `*=<token>` and a bare `<token>` read every tenant. The text before the first
 * `=` is a tenant only when it is a valid tenant id and a token follows; anything else is a bare token.
 */
export function parseReadToken(entry: ReadTokenEntry): { tenant: string | undefined; token: string } {
  if (typeof entry !== 'string') return { tenant: entry.tenant === '*' ? undefined : entry.tenant, token: entry.token };
  const text = entry.trim();
  const eq = text.indexOf('=');
  if (eq > 0 && eq < text.length - 1) {
    const scope = text.slice(0, eq).trim();
    const token = text.slice(eq + 1).trim();
    if (scope === '*') return { tenant: undefined, token };
    if (TENANT.test(scope) && !/^=+$/.test(token)) return { tenant: scope, token };
  }
  return { tenant: undefined, token: text };
}

function checkToken(token: string, what: string): void {
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new CollectorConfigError(
      `every ${what} must be at least ${MIN_TOKEN_LENGTH} characters without spaces (generate one with ` +
        '`openssl rand -hex 24`)',
    );
  }
}

function bearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * A tokens file: `tenant=token` lines for ingest tokens, and `read-token <token>` / `read-token <tenant>=<token>` lines
 * for read tokens (global, or bound to one tenant). `#` starts a comment.
 */
export function parseTokensFile(text: string, source: string): { ingest: TenantToken[]; read: string[] } {
  const read: string[] = [];
  const rest: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*read-token\s+(.+)$/.exec(line.replace(/#.*$/, ''));
    if (match) read.push(match[1]!.trim());
    else rest.push(line);
  }
  return { ingest: parseTenantTokens(rest.join('\n'), source), read };
}

/**
 * Parses `tenant=token` pairs separated by commas or newlines (the `LLM_COST_COLLECTOR_TOKENS` format and the
 * format of a tokens file, where `#` starts a comment). The first `=` separates, so tokens may contain `=`.
 */
export function parseTenantTokens(text: string, source: string): TenantToken[] {
  const entries: TenantToken[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0 || eq === line.length - 1) {
      throw new CollectorConfigError(`${source}: expected tenant=token pairs, got an entry without "=" or a token`);
    }
    entries.push({ tenant: line.slice(0, eq).trim(), token: line.slice(eq + 1).trim() });
  }
  return entries;
}
