import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * While a collector holds an embedded store, it leaves `<store path>.collector.json` (`{ pid, url }`) beside it, so
 * `llm-cost report` run against the same store finds the collector's query endpoint instead of failing on the lock.
 */
export interface DiscoveryRecord {
  pid: number;
  url: string;
}

export function discoveryFilePath(storePath: string): string {
  return `${storePath.replace(/[\\/]+$/, '')}.collector.json`;
}

export function writeDiscoveryFile(storePath: string, url: string): void {
  try {
    writeFileSync(discoveryFilePath(storePath), JSON.stringify({ pid: process.pid, url } satisfies DiscoveryRecord));
  } catch {
    // Best effort: without it, `report` asks for --collector-url.
  }
}

export function removeDiscoveryFile(storePath: string, url: string): void {
  const record = readDiscoveryFile(storePath);
  if (record && record.pid === process.pid && record.url === url) rmSync(discoveryFilePath(storePath), { force: true });
}

export function readDiscoveryFile(storePath: string): DiscoveryRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(discoveryFilePath(storePath), 'utf8')) as Partial<DiscoveryRecord>;
    return typeof record.pid === 'number' && typeof record.url === 'string' ? { pid: record.pid, url: record.url } : undefined;
  } catch {
    return undefined;
  }
}
