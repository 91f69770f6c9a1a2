import { createHash } from 'node:crypto';

import { CollectorConfigError } from '../errors.js';

/** One ingest token and the tenant every span sent with it is billed to. */
export interface TenantToken {
  tenant: string;
  token: string;
}

/** Result of checking a request's `Authorization` header. */
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
  private readonly readers = new Set<string>();

  constructor(ingest: readonly TenantToken[], readTokens: readonly string[] = []) {
    for (const { tenant, token } of ingest) {
      checkToken(token, 'ingest token');
      if (!TENANT.test(tenant)) {
        throw new CollectorConfigError(
          `tenant "${tenant.slice(0, 40)}" is not a valid tenant id (1-128 letters, digits or _ . : @ / -)`,
        );
      }
      const key = digest(token);
      const existing = this.tenants.get(key);
      if (existing !== undefined && existing !== tenant) {
        throw new CollectorConfigError(`one token is configured for two tenants (${existing}, ${tenant})`);
      }
      this.tenants.set(key, tenant);
    }
    for (const token of readTokens) {
      checkToken(token, 'read token');
      this.readers.add(digest(token));
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
   * Checks a query request: allowed with a read token, or with no tokens configured at all (the collector then
   * listens on loopback only). Ingest tokens cannot read: a tenant's token must not reveal other tenants' spend.
   */
  authenticateRead(authorization: string | undefined): AuthResult {
    if (!this.enabled) return { ok: true, tenant: undefined };
    const token = bearer(authorization);
    if (token === undefined) return { ok: false, reason: 'missing' };
    return this.readers.has(digest(token)) ? { ok: true, tenant: undefined } : { ok: false, reason: 'invalid' };
  }
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
