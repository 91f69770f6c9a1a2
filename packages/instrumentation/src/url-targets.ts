/**
 * The provider endpoint a URL addresses, remembered per URL string. SDKs call the same few URLs on every request
 * (`https://api.openai.com/v1/chat/completions`), so the usual case is one Map lookup instead of scanning the URL,
 * lower-casing its authority, looking the host up and matching the path; the span's server attributes are worked out
 * once per URL too. Non-LLM URLs are remembered as well (as "no"), so a repeated call to another host costs the same
 * single lookup.
 *
 * The memory is bounded: it is cleared when full (a process that calls many distinct URLs re-resolves them, which is
 * what every call cost before), and URLs longer than `MAX_REMEMBERED_URL_LENGTH` are resolved without being kept.
 * Nothing here is exported or logged: a URL's query string (which may carry a key) stays a Map key in memory only.
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_GEN_AI_REQUEST_STREAM, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@llm-cost/semconv';
import { lookupHost, type HostTable } from './host-table.js';
import type { Endpoint, ProviderModule } from './providers/types.js';
import { authorityOf, hostnameOf, pathOf, portOf } from './url-parts.js';

/** An LLM endpoint and what every span of a call to it starts with. */
export interface UrlTarget {
  readonly module: ProviderModule;
  readonly endpoint: Endpoint;
  /** `server.address`, `server.port` and `gen_ai.request.stream: false` (frozen: shared by every call). */
  readonly attributes: Readonly<Attributes>;
  /** The same with `gen_ai.request.stream: true`. */
  readonly streamAttributes: Readonly<Attributes>;
}

/** How many URLs are remembered per host table before the memory is cleared. */
export const MAX_REMEMBERED_URLS = 256;
/** Longer URLs (a `data:` URL, a huge query) are resolved on every call rather than kept. */
export const MAX_REMEMBERED_URL_LENGTH = 2048;

const memories = new WeakMap<HostTable, Map<string, UrlTarget | null>>();
/** The table of the last lookup and its memory (one table per process in practice: a WeakMap lookup spared). */
let lastTable: HostTable | undefined;
let lastMemory: Map<string, UrlTarget | null> | undefined;

function memoryOf(table: HostTable): Map<string, UrlTarget | null> {
  if (table === lastTable) return lastMemory!;
  let memory = memories.get(table);
  if (memory === undefined) {
    memory = new Map();
    memories.set(table, memory);
  }
  lastTable = table;
  lastMemory = memory;
  return memory;
}

/** Resolves a URL from scratch: the provider module of its host and the endpoint of its path, or null. */
function resolve(table: HostTable, url: string): UrlTarget | null {
  const authority = authorityOf(url);
  if (authority === undefined) return null;
  const module = lookupHost(table, authority);
  if (module === undefined) return null;
  const endpoint = module.matchPath(pathOf(url));
  if (endpoint === undefined) return null;
  const hostname = hostnameOf(authority);
  const server: Attributes = {
    [ATTR_SERVER_ADDRESS]: hostname.charCodeAt(0) === 91 /* [ */ ? hostname.slice(1, -1) : hostname,
    [ATTR_SERVER_PORT]: portOf(url, authority),
  };
  return {
    module,
    endpoint,
    attributes: Object.freeze({ ...server, [ATTR_GEN_AI_REQUEST_STREAM]: false }),
    streamAttributes: Object.freeze({ ...server, [ATTR_GEN_AI_REQUEST_STREAM]: true }),
  };
}

/** The LLM endpoint `url` addresses under `table`, or undefined (the common case: another host). */
export function urlTarget(table: HostTable, url: string): UrlTarget | undefined {
  const memory = memoryOf(table);
  let target = memory.get(url);
  if (target === undefined) {
    target = resolve(table, url);
    if (url.length <= MAX_REMEMBERED_URL_LENGTH) {
      if (memory.size >= MAX_REMEMBERED_URLS) memory.clear();
      memory.set(url, target);
    }
  }
  return target ?? undefined;
}

const hostMemories = new WeakMap<HostTable, Map<string, boolean>>();

/**
 * The LLM endpoint a request addresses, from its parts (`node:http`, `node:http2`: no URL string is at hand). For any
 * other host this is one Map lookup on the authority as given (`hostname:port`); an LLM host's URL is then resolved
 * and remembered as in `urlTarget`.
 */
export function requestTarget(table: HostTable, secure: boolean, authority: string, path: string): UrlTarget | undefined {
  let hosts = hostMemories.get(table);
  if (hosts === undefined) {
    hosts = new Map();
    hostMemories.set(table, hosts);
  }
  let llmHost = hosts.get(authority);
  if (llmHost === undefined) {
    llmHost = lookupHost(table, authority.toLowerCase()) !== undefined;
    if (authority.length <= MAX_REMEMBERED_URL_LENGTH) {
      if (hosts.size >= MAX_REMEMBERED_URLS) hosts.clear();
      hosts.set(authority, llmHost);
    }
  }
  if (!llmHost) return undefined;
  return urlTarget(table, `${secure ? 'https' : 'http'}://${authority}${path}`);
}
