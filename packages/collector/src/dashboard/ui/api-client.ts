/**
 * The page's only way to its data: `fetch` of `/api/...` on this origin with the read token from the session (never
 * a cookie, never in a URL after the first load), so a 401 brings back the login form and nothing is cached.
 */

const TOKEN_KEY = 'llm-cost.read-token';

/** Moves a `?token=` of the first load into the session and takes it out of the address bar and history. */
export function adoptTokenFromUrl(): void {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

export function setToken(token: string | undefined): void {
  if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function request(path: string, signal?: AbortSignal): Promise<Response> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(`/api/${path}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    cache: 'no-store',
    signal,
  });
  if (response.status === 401) throw new UnauthorizedError('a read token is required');
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(body.error ?? `HTTP ${response.status}`, response.status);
  }
  return response;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, signal)).json()) as T;
}

/** Downloads a CSV endpoint as a file (a link cannot carry the Authorization header, so: fetch, then a blob). */
export async function downloadCsv(path: string): Promise<void> {
  const response = await request(path);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'llm-cost.csv';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
