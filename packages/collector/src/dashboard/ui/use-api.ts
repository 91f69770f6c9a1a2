import { useEffect, useState } from 'preact/hooks';

import { getJson, UnauthorizedError } from './api-client.js';

export interface ApiState<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
}

/** Loads `/api/<path>` whenever the path changes (the previous request is aborted); null loads nothing. */
export function useApi<T>(path: string | null): ApiState<T> {
  const [state, setState] = useState<ApiState<T>>({ data: undefined, error: undefined, loading: path !== null });
  useEffect(() => {
    if (path === null) return undefined;
    const controller = new AbortController();
    setState((previous) => ({ data: previous.data, error: undefined, loading: true }));
    getJson<T>(path, controller.signal).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error: Error) => {
        if (controller.signal.aborted) return;
        if (error instanceof UnauthorizedError) dispatchEvent(new Event('llm-cost:unauthorized'));
        setState({ data: undefined, error: error.message, loading: false });
      },
    );
    return () => controller.abort();
  }, [path]);
  return state;
}
