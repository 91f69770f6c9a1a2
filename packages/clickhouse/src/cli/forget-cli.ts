import { forgetUser } from '../maintenance/forget-user.js';
import type { CliIo } from './cli-io.js';
import { CONNECTION_HELP, errorMessage, parseCommand } from './connection-flags.js';

const USAGE = `Usage: llm-cost forget --user-id ID [options]

Deletes every row that identifies the user (raw calls, the by-user rollup, user_id tag rows), for
data-protection requests. Aggregates that do not name the user keep their totals.

Options:
  --user-id ID   the user to forget (required)
  -h, --help

${CONNECTION_HELP}`;

/** `llm-cost forget --user-id X`. */
export async function runForgetCli(argv: readonly string[], io: CliIo): Promise<number> {
  const result = parseCommand(argv, io, { 'user-id': { type: 'string' } }, USAGE);
  if ('exit' in result) return result.exit;
  const { values, connection } = result.parsed;
  const userId = values['user-id'];
  if (typeof userId !== 'string' || userId === '') {
    io.stderr.write(`llm-cost forget: --user-id is required\n\n${USAGE}`);
    return 2;
  }
  try {
    const { deleted } = await forgetUser(connection, userId);
    const total = Object.values(deleted).reduce((sum, n) => sum + n, 0);
    io.stdout.write(`forgot user ${JSON.stringify(userId)}: ${total} rows deleted\n`);
    for (const [table, count] of Object.entries(deleted)) io.stdout.write(`  ${table}: ${count}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`llm-cost forget: ${errorMessage(error)}\n`);
    return 1;
  }
}
