/** Where a CLI command writes (the same shape as `@llm-cost/pricing`'s and the collector's `CliIo`). */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A subcommand: arguments after its name in, exit code out (0 ok, 1 problem, 2 usage error); never throws. */
export type CliCommand = (argv: readonly string[], io: CliIo) => Promise<number>;
