/**
 * URL pieces read straight from the string: every fetch of the process passes here, so the common case (a host that
 * is not an LLM provider) costs one short scan and a Map lookup, with no `new URL()`.
 */

/** Index just past the authority (`scheme://authority`), or -1 when the URL has no authority. */
function authorityBounds(url: string): [start: number, end: number] | undefined {
  const scheme = url.indexOf('://');
  if (scheme === -1) return undefined;
  const start = scheme + 3;
  let end = start;
  const n = url.length;
  while (end < n) {
    const c = url.charCodeAt(end);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || c === 92 /* \ */) break;
    end++;
  }
  return [start, end];
}

/** `host[:port]`, lower-cased, without user info; undefined for a URL without an authority. */
export function authorityOf(url: string): string | undefined {
  const bounds = authorityBounds(url);
  if (bounds === undefined) return undefined;
  let authority = url.slice(bounds[0], bounds[1]);
  const at = authority.lastIndexOf('@');
  if (at !== -1) authority = authority.slice(at + 1);
  return authority.toLowerCase();
}

/** The hostname of an authority (`[::1]:8080` → `[::1]`, `example.com:443` → `example.com`). */
export function hostnameOf(authority: string): string {
  const bracket = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  return colon > bracket ? authority.slice(0, colon) : authority;
}

/** The port of an authority, or the scheme's default (443 for https, 80 for http). */
export function portOf(url: string, authority: string): number {
  const bracket = authority.lastIndexOf(']');
  const colon = authority.lastIndexOf(':');
  if (colon > bracket) {
    const port = Number(authority.slice(colon + 1));
    if (Number.isInteger(port) && port > 0 && port < 65536) return port;
  }
  return url.charCodeAt(4) === 115 /* https */ || url.startsWith('wss') ? 443 : 80;
}

/** The path of a URL, without query or fragment (these may carry keys and are never recorded). */
export function pathOf(url: string): string {
  const bounds = authorityBounds(url);
  if (bounds === undefined) return '';
  const start = bounds[1];
  let end = start;
  const n = url.length;
  while (end < n) {
    const c = url.charCodeAt(end);
    if (c === 63 /* ? */ || c === 35 /* # */) break;
    end++;
  }
  return url.slice(start, end);
}

/** The path and query of a URL (no fragment), `/` when empty: what an HTTP/1.1 request line carries. */
export function pathAndQueryOf(url: string): string {
  const bounds = authorityBounds(url);
  if (bounds === undefined) return '/';
  const hash = url.indexOf('#', bounds[1]);
  const rest = hash === -1 ? url.slice(bounds[1]) : url.slice(bounds[1], hash);
  return rest === '' ? '/' : rest;
}
