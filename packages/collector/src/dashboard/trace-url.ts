import { CollectorConfigError } from '../errors.js';

/**
 * Checks a trace link template: an http(s) URL with `{traceId}` where the call's trace id goes (Jaeger
 * `http://jaeger:16686/trace/{traceId}`, Tempo through Grafana's explore URL, ...). The page builds each link by
 * replacing `{traceId}` with the URL-encoded id.
 */
export function checkTraceUrl(template: string | undefined): string | undefined {
  if (template === undefined || template === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(template.replace('{traceId}', 'x'));
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || !template.includes('{traceId}')) {
    throw new CollectorConfigError(
      `traceUrl must be an http(s) URL containing {traceId}, e.g. http://localhost:16686/trace/{traceId}; got "${template.slice(0, 80)}"`,
    );
  }
  return template;
}
