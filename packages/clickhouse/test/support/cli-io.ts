import type { CliIo } from '../../src/cli/cli-io.js';

export interface CapturedIo extends CliIo {
  out: () => string;
  err: () => string;
}

/** A CliIo that keeps what the command writes. */
export function captureIo(): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}
