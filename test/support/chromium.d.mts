import type { Browser } from 'playwright-core';

/** Flags this machine needs: no sandbox as root, no GPU, and no background connections (there is no network). */
export declare const CHROMIUM_FLAGS: readonly string[];
/** Launches the packaged headless Chromium (see chromium.mjs). */
export declare function launchBrowser(): Promise<Browser>;
