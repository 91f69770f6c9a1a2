#!/usr/bin/env node
/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most self time, and the time owned
 * by the code under `--focus` (e.g. `instrumentation/dist`): a sample is theirs when, walking from the leaf towards
 * the root, a focus frame comes before any `--stop` frame (the code it calls back into, e.g. the original fetch or the
 * SDK: `--stop openai/,bench/`). Grouped by the innermost focus frame and by leaf, so a note can say what dominates.
 *
 * Usage: node bench/lib/profile-summary.mjs <file.cpuprofile> [--top 25] [--focus instrumentation/dist] [--stop a,b]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, focus: { type: 'string' }, stop: { type: 'string' } },
});

export function summarizeProfile(profile, { top = 25, focus, stop = [] } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  let total = 0;
  for (const v of selfUs.values()) total += v;
  const label = (n) => {
    const f = n.callFrame;
    const file = f.url ? f.url.replace(/^.*\/(node_modules|packages)\//, '$1/') : '';
    return `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
  };
  const bySelf = new Map();
  for (const [id, us] of selfUs) {
    const key = label(nodes.get(id));
    bySelf.set(key, (bySelf.get(key) ?? 0) + us);
  }
  const selfTop = [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, top);
  let focused = 0;
  const focusedBy = new Map();
  const focusedLeaves = new Map();
  if (focus) {
    for (const [id, us] of selfUs) {
      let owner;
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const url = nodes.get(cur).callFrame.url;
        if (url.includes(focus)) {
          owner = cur;
          break;
        }
        if (stop.some((s) => url.includes(s))) break;
      }
      if (owner !== undefined) {
        focused += us;
        const key = label(nodes.get(owner));
        focusedBy.set(key, (focusedBy.get(key) ?? 0) + us);
        const leaf = label(nodes.get(id));
        focusedLeaves.set(leaf, (focusedLeaves.get(leaf) ?? 0) + us);
      }
    }
  }
  return {
    totalMs: total / 1000,
    selfTop: selfTop.map(([name, us]) => ({ name, ms: us / 1000, share: us / total })),
    focusedMs: focused / 1000,
    focusedShare: focused / total,
    focusedTop: [...focusedBy].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: us / 1000, share: us / total })),
    focusedLeaves: [...focusedLeaves].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: us / 1000, share: us / total })),
  };
}

if (positionals.length > 0) {
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
  const s = summarizeProfile(profile, { top: Number(args.top), focus: args.focus, stop: args.stop ? args.stop.split(',') : [] });
  console.log(`total sampled: ${s.totalMs.toFixed(0)} ms`);
  console.log('self time:');
  for (const e of s.selfTop) console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(1).padStart(8)} ms  ${e.name}`);
  if (args.focus) {
    console.log(`owned by ${args.focus}: ${(s.focusedShare * 100).toFixed(1)}% (${s.focusedMs.toFixed(0)} ms), by innermost own frame:`);
    for (const e of s.focusedTop) console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(1).padStart(8)} ms  ${e.name}`);
    console.log('  by leaf:');
    for (const e of s.focusedLeaves) console.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(1).padStart(8)} ms  ${e.name}`);
  }
}
