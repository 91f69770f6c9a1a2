/**
 * What a `http.request()` / `https.request()` / `get()` call addresses, read from its arguments the way Node reads
 * them (`request(url[, options][, callback])` or `request(options[, callback])`, options winning over the URL), but
 * only as far as needed: anything other than a POST is known at the first property read.
 */
import { authorityOf, pathAndQueryOf } from '../../url-parts.js';

export interface RequestParts {
  secure: boolean;
  /** `hostname:port` (IPv6 in brackets), as given (not lower-cased). */
  authority: string;
  /** Path and query, or an absolute URL (a request to an HTTP proxy names its target so). */
  path: string;
}

type Options = Record<string, unknown>;

function isPost(method: unknown): boolean {
  return method === 'POST' || (typeof method === 'string' && method.toUpperCase() === 'POST');
}

function defaultPort(options: Options | undefined, secure: boolean): number {
  const given = options?.defaultPort ?? (options?.agent as { defaultPort?: unknown } | undefined)?.defaultPort;
  return typeof given === 'number' ? given : secure ? 443 : 80;
}

function bracketed(hostname: string): string {
  return hostname.indexOf(':') !== -1 && hostname.charCodeAt(0) !== 91 /* [ */ ? `[${hostname}]` : hostname;
}

/** The parts of a POST request, or undefined (not a POST, a Unix socket, arguments Node itself would reject). */
export function requestParts(secureByDefault: boolean, first: unknown, second: unknown): RequestParts | undefined {
  let url: string | URL | undefined;
  let options: Options | undefined;
  if (typeof first === 'string' || first instanceof URL) {
    url = first;
    if (typeof second === 'object' && second !== null) options = second as Options;
  } else if (typeof first === 'object' && first !== null) {
    options = first as Options;
  } else {
    return undefined;
  }
  if (!isPost(options?.method)) return undefined;
  if (options?.socketPath !== undefined) return undefined;

  let protocol: unknown = options?.protocol;
  let hostname: unknown = options?.hostname ?? options?.host;
  let port: unknown = options?.port;
  let path: unknown = options?.path;
  if (typeof url === 'string') {
    const authority = authorityOf(url);
    if (authority === undefined) return undefined;
    protocol ??= url.slice(0, url.indexOf(':') + 1);
    const colon = authority.lastIndexOf(':');
    const hasPort = colon > authority.lastIndexOf(']');
    hostname ??= hasPort ? authority.slice(0, colon) : authority;
    if (hasPort) port ??= authority.slice(colon + 1);
    path ??= pathAndQueryOf(url);
  } else if (url !== undefined) {
    protocol ??= url.protocol;
    hostname ??= url.hostname;
    port ??= url.port === '' ? undefined : url.port;
    path ??= `${url.pathname}${url.search}`;
  }
  const secure = protocol === undefined || protocol === null ? secureByDefault : protocol === 'https:';
  if (typeof hostname !== 'string' || hostname === '') hostname = 'localhost';
  const portNumber = port === undefined || port === null || port === '' ? defaultPort(options, secure) : Number(port);
  return {
    secure,
    authority: `${bracketed(hostname as string)}:${portNumber}`,
    path: typeof path === 'string' && path !== '' ? path : '/',
  };
}
