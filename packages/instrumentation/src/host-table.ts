/**
 * Host → provider lookup, precomputed once from the built-in hosts and the `hosts` option.
 */
import { warnOnce } from './diag-once.js';
import { DEFAULT_HOSTS, DEFAULT_HOST_SUFFIXES, providerModule } from './providers/registry.js';
import type { ProviderModule } from './providers/types.js';
import { hostnameOf } from './url-parts.js';

export interface HostTable {
  /** `host` or `host:port` → module; `null` switches a built-in host off. */
  readonly exact: ReadonlyMap<string, ProviderModule | null>;
  /** Hostname suffixes (`.openai.azure.com`, from `*.example.com` keys). */
  readonly suffixes: readonly (readonly [suffix: string, module: ProviderModule | null])[];
}

/** Normalises a user's host key: lower case, no scheme, no path, no trailing dot. */
function normalizeHostKey(key: string): string {
  let host = key.trim().toLowerCase();
  const scheme = host.indexOf('://');
  if (scheme !== -1) host = host.slice(scheme + 3);
  const slash = host.indexOf('/');
  if (slash !== -1) host = host.slice(0, slash);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export function buildHostTable(overrides: Record<string, string | false> | undefined): HostTable {
  const exact = new Map<string, ProviderModule | null>();
  const suffixes: [string, ProviderModule | null][] = [];
  for (const [host, name] of Object.entries(DEFAULT_HOSTS)) exact.set(host, providerModule(name));
  for (const [suffix, name] of Object.entries(DEFAULT_HOST_SUFFIXES)) suffixes.push([suffix, providerModule(name)]);
  if (overrides !== undefined && overrides !== null) {
    if (typeof overrides !== 'object') {
      warnOnce('hosts:type', 'the hosts option must be an object of host to provider name; ignored');
    } else {
      for (const [key, name] of Object.entries(overrides)) {
        const host = normalizeHostKey(key);
        let module: ProviderModule | null;
        if (name === false || name === null) {
          module = null;
        } else if (typeof name === 'string' && name.trim() !== '') {
          module = providerModule(name);
        } else {
          warnOnce(`hosts:value:${host}`, `hosts["${key}"] must be a provider name or false; ignored`);
          continue;
        }
        if (host.startsWith('*.')) {
          // User suffixes go first so they can override a built-in one.
          suffixes.unshift([host.slice(1), module]);
        } else if (host !== '') {
          exact.set(host, module);
        }
      }
    }
  }
  return { exact, suffixes };
}

/** The provider module for an authority (`host[:port]`, lower case), or undefined when it is not an LLM host. */
export function lookupHost(table: HostTable, authority: string): ProviderModule | undefined {
  let module = table.exact.get(authority);
  if (module !== undefined) return module ?? undefined;
  const hostname = hostnameOf(authority);
  if (hostname !== authority) {
    module = table.exact.get(hostname);
    if (module !== undefined) return module ?? undefined;
  }
  const suffixes = table.suffixes;
  for (let i = 0; i < suffixes.length; i++) {
    const entry = suffixes[i]!;
    if (hostname.endsWith(entry[0])) return entry[1] ?? undefined;
  }
  return undefined;
}
