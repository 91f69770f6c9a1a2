/** The headless Chromium of the browser tests (implemented in chromium.mjs, shared with the page-load benchmark). */
export { CHROMIUM_FLAGS, launchBrowser } from './chromium.mjs';
