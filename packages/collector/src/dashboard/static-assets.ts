import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's built front end (`app.js`, `app.css`), bundled by the package build into `dist/dashboard/` and
 * served from there: no CDN, no external font, nothing fetched at run time.
 */

const TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** `dist/dashboard` beside the bundled collector, or the package's `dist/dashboard` when running from source. */
function assetsDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'dashboard'), join(here, '..', '..', 'dist', 'dashboard')].find((dir) => existsSync(join(dir, 'app.js')));
}

const cache = new Map<string, Buffer>();

export interface Asset {
  body: Buffer;
  contentType: string;
}

/** The asset of that name, or undefined when there is no such asset; throws when the assets were never built. */
export function readAsset(name: string): Asset | undefined {
  const contentType = Object.prototype.hasOwnProperty.call(TYPES, name) ? TYPES[name] : undefined;
  if (contentType === undefined) return undefined;
  let body = cache.get(name);
  if (body === undefined) {
    const dir = assetsDir();
    if (dir === undefined) throw new Error('the dashboard assets are not built (run the package build: pnpm build)');
    body = readFileSync(join(dir, name));
    cache.set(name, body);
  }
  return { body, contentType };
}

/** The page: the app's script and styles, by URL, and no inline script. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>llm-cost</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<div id="app"></div>
<noscript>The llm-cost dashboard needs JavaScript.</noscript>
</body>
</html>
`;
