/** Where a CLI command writes; the same shape as `@llm-cost/pricing`'s `CliIo`. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

/** A subcommand of `llm-cost`: arguments after its name in, exit code out; never throws. */
export type CliCommand = (argv: readonly string[], io: CliIo) => Promise<number>;
