#!/usr/bin/env node
import { createRequire } from 'node:module';

import { processIo } from './cli/io.js';
import { runCli } from './cli/main.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

runCli(process.argv.slice(2), processIo, version).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`llm-cost: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
