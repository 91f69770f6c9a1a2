/**
 * The figures a reliability suite measured (faults survived, inputs tried, load held, rows lost), printed as one line
 * per suite so a CI log shows them, and appended as a JSON line to `LLM_COST_RELIABILITY_FIGURES` when that is set
 * (how docs/RELIABILITY.md was filled in).
 */
import { appendFileSync } from 'node:fs';

export function reportFigures(suite: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ suite, node: process.versions.node, ...figures });
  console.log(`[reliability] ${line}`);
  const file = process.env.LLM_COST_RELIABILITY_FIGURES;
  if (file !== undefined && file !== '') appendFileSync(file, `${line}\n`);
}
