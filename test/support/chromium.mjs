import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

import { chromium } from 'playwright-core';
import { extract } from 'tar-fs';

/**
 * A real headless Chromium for the browser tests and the page-load benchmark, installed by `pnpm install` alone:
 * `@sparticuz/chromium` ships a headless Chromium build (brotli-compressed, with the NSS/expat libraries it needs and
 * a font) inside the npm package, and `playwright-core` drives it. Nothing is downloaded at run time and nothing comes
 * from the system but the C library, so a fresh machine with only Node and npm (CI on Node 20 and 24) runs the same
 * browser as ours. Plain JavaScript so that `bench/` (Node, no TypeScript) uses the same launcher.
 *
 * The package's own unpacker writes to fixed paths in /tmp and is not safe when two test files start at once, so the
 * files are unpacked here into a directory named for the package version: each process unpacks into a private
 * directory and renames it into place; a process that loses the race uses the winner's.
 */

const require = createRequire(import.meta.url);

/** Flags this machine needs: no sandbox as root, no GPU, and no background connections (there is no network). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--font-render-hinting=none',
];

async function unpack(source, target, tar) {
  await pipeline(createReadStream(source), createBrotliDecompress(), tar ? extract(target) : createWriteStream(target, { mode: 0o755 }));
}

/** Unpacks the browser once per package version; returns its directory. */
async function chromiumDir() {
  // The package exports no package.json; walk up from its entry point to its root.
  let root = dirname(require.resolve('@sparticuz/chromium'));
  while (!existsSync(join(root, 'package.json')) || !existsSync(join(root, 'bin'))) root = dirname(root);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dir = join(tmpdir(), `llm-cost-chromium-${version}`);
  if (existsSync(join(dir, 'ready'))) return dir;
  const bin = join(root, 'bin');
  const staging = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(staging, { recursive: true });
  try {
    await unpack(join(bin, 'chromium.br'), join(staging, 'chromium'), false);
    await unpack(join(bin, 'al2023.tar.br'), join(staging, 'al2023'), true);
    await unpack(join(bin, 'fonts.tar.br'), join(staging, 'fonts'), true);
    // Only the shipped font: the same glyphs on every machine, so screenshots do not depend on what is installed.
    writeFileSync(
      join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, 'fonts')}</dir>\n` +
        `  <cachedir>${join(dir, 'font-cache')}</cachedir>\n</fontconfig>\n`,
    );
    writeFileSync(join(staging, 'ready'), version);
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'ready'))) throw error;
  }
  return dir;
}

/** Launches the packaged headless Chromium (one per test file: launching takes about a second). */
export async function launchBrowser() {
  const dir = await chromiumDir();
  return chromium.launch({
    executablePath: join(dir, 'chromium'),
    headless: true,
    args: CHROMIUM_FLAGS,
    env: {
      ...process.env,
      LD_LIBRARY_PATH: join(dir, 'al2023', 'lib'),
      FONTCONFIG_FILE: join(dir, 'fonts.conf'),
      HOME: tmpdir(),
      // The browser's default locale comes from the environment; a POSIX one (`C`, `en_US@posix`) is not a valid
      // language tag for Intl and breaks pages that format with the default locale.
      LANG: 'en_US.UTF-8',
      LC_ALL: 'en_US.UTF-8',
    },
    timeout: 60_000,
  });
}
