/**
 * `syncPriceSnapshot`: fetch newer price data, validate it, and write it as the snapshot the pricer loads
 * (`LLM_COST_PRICES_FILE`). Nothing is written unless every check passes:
 * 1. the data has the expected shape and only price keys this version knows (an unknown key would be ignored by
 *    the pricer and under-charge silently);
 * 2. every reference call (`REFERENCE_CALLS`) still prices, with non-zero parts;
 * 3. no price moved more than 3x against the data in use, unless `allowLargeMoves` confirms the moves.
 * The file is written atomically (temporary file in the same directory, then rename), so a pricer never reads a
 * half-written snapshot.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type ModelDiff, diffPriceTables } from './price-diff.js';
import { loadCurrentTable, loadPriceTable } from './price-check.js';
import { readPriceSource } from './price-source.js';
import { readPriceTable } from './price-table.js';
import { createPricer } from './pricer.js';
import { contentHash } from './price-version.js';
import { checkReferenceCalls } from './reference-prices.js';

export interface SyncPriceSnapshotOptions {
  /** New price data: an `http(s)://` URL or a file path (offline sites point it at a mirror or a file). */
  from: string;
  /** Snapshot file to write (point `LLM_COST_PRICES_FILE` at it). */
  to: string;
  /** Write even when prices moved more than 3x (after reviewing them). @default false */
  allowLargeMoves?: boolean;
  /**
   * Data to compare with for large moves: a URL or file path.
   * @default the existing `to` file when it is valid, else `LLM_COST_PRICES_FILE`, else the bundled data
   */
  against?: string;
}

export interface LargeMove {
  readonly model: string;
  readonly price: string;
  readonly from: string;
  readonly to: string;
}

export interface PriceSyncResult {
  /** All checks passed (and the file was written). */
  readonly ok: boolean;
  readonly written: boolean;
  /** Absolute path of the snapshot file. */
  readonly to: string;
  /** `snapshot:<hash>` of the new data (what results priced with it will carry). */
  readonly priceVersion: string;
  /** Shape and unknown-field problems of the new data. */
  readonly problems: readonly string[];
  /** Reference calls that no longer price. */
  readonly referenceFailures: readonly string[];
  /** Prices that moved more than 3x. */
  readonly largeMoves: readonly LargeMove[];
  readonly changes: readonly ModelDiff[];
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Validate new price data and write it to `to`. Returns what was found; throws `PriceSourceError` only when a
 * source cannot be read at all.
 */
export async function syncPriceSnapshot(options: SyncPriceSnapshotOptions): Promise<PriceSyncResult> {
  const to = resolve(options.to);
  const data = await readPriceSource(options.from);
  const priceVersion = `snapshot:${contentHash(data)}`;
  const { table, problems } = readPriceTable(data);
  const base = { to, priceVersion, problems, written: false };
  if (problems.length > 0) return { ...base, ok: false, referenceFailures: [], largeMoves: [], changes: [] };

  const referenceFailures = checkReferenceCalls(createPricer({ snapshot: data }));

  let against = options.against;
  if (against === undefined && existsSync(to)) {
    // The snapshot being replaced is the data in use; if it is unreadable, compare with the default instead.
    const { problems: oldProblems } = readPriceTable(await readPriceSource(to).catch(() => null));
    if (oldProblems.length === 0) against = to;
  }
  const current = against === undefined ? await loadCurrentTable(undefined) : await loadPriceTable(against);
  const changes = diffPriceTables(current.table, table);
  const largeMoves: LargeMove[] = [];
  for (const diff of changes) {
    for (const change of diff.prices) {
      if (change.large) largeMoves.push({ model: diff.model, price: change.price, from: change.from as string, to: change.to as string });
    }
  }
  const ok = referenceFailures.length === 0 && (largeMoves.length === 0 || options.allowLargeMoves === true);
  if (!ok) return { ...base, ok, referenceFailures, largeMoves, changes };
  await writeAtomically(to, `${JSON.stringify(data)}\n`);
  return { ...base, ok, written: true, referenceFailures, largeMoves, changes };
}
