/** The part of tar-fs (untyped) that test/support/browser.ts uses. */
declare module 'tar-fs' {
  import type { Writable } from 'node:stream';
  export function extract(directory: string): Writable;
}
