import { runBillsCli } from '@llm-cost/bills';

import type { CliIo } from './io.js';
import { readQueriesOpener, REPORT_COLLECTOR_HELP } from './store-commands.js';

/**
 * `llm-cost bills <sync|drift>` from `@llm-cost/bills`; `drift` also reads through a running collector, like
 * `report` (the collector holds an embedded store exclusively while it runs, and syncs the bills itself when given
 * `--bills-config`).
 */
export async function runBillsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  if (args[0] !== 'drift') return runBillsCli(args, io);
  if (args.includes('--help') || args.includes('-h')) {
    const code = await runBillsCli(args, io);
    io.stdout.write(`\n${REPORT_COLLECTOR_HELP.replace('the report goes', 'drift goes')}`);
    return code;
  }
  const opener = readQueriesOpener(args, io, 'bills drift');
  if ('exit' in opener) return opener.exit;
  return runBillsCli(args, io, { openQueries: opener.open });
}
