import { BillsResponseError } from '../errors.js';
import type { AdminClient } from '../http/admin-client.js';

/**
 * Both providers answer a report as pages of daily buckets with a cursor: `{ data: [bucket...], has_more, next_page }`
 * (OpenAI: `start_time` / `end_time` in Unix seconds; Anthropic: `starting_at` / `ending_at` in RFC 3339), the next
 * page asked for with `page=<next_page>`. This reads every page of one report and returns each day's results.
 */

/** One daily bucket, its day checked. */
export interface DayBucket {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  results: unknown[];
}

export interface ReportPage {
  buckets: DayBucket[];
  hasMore: boolean;
  nextPage: string | null;
}

/** The days `[first, end)` of a sync, as `YYYY-MM-DD` and as milliseconds at UTC midnight. */
export interface DayRange {
  first: string;
  end: string;
  firstMs: number;
  endMs: number;
}

const DAY_MS = 86_400_000;
/** A report of a few years of days fits in far fewer pages; more means the cursor is going round in circles. */
const MAX_PAGES = 1_000;

/** `YYYY-MM-DD` of a bucket that must span exactly one whole UTC day. */
export function bucketDay(startMs: number, endMs: number, what: string): string {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs % DAY_MS !== 0 || endMs - startMs !== DAY_MS) {
    throw new BillsResponseError(
      `${what}: a bucket must be one whole UTC day, got ${Number.isFinite(startMs) ? new Date(startMs).toISOString() : String(startMs)} to ` +
        `${Number.isFinite(endMs) ? new Date(endMs).toISOString() : String(endMs)}`,
    );
  }
  return new Date(startMs).toISOString().slice(0, 10);
}

export function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BillsResponseError(`${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** The page envelope both providers use; `readBucket` turns one element of `data` into a day bucket. */
export function readEnvelope(body: unknown, what: string, readBucket: (bucket: Record<string, unknown>, what: string) => DayBucket): ReportPage {
  const page = object(body, what);
  if (!Array.isArray(page.data)) throw new BillsResponseError(`${what}: "data" must be a list of buckets`);
  // A page without has_more (or with a wrong type) must not read as "the end": that would store a partial day as whole.
  if (typeof page.has_more !== 'boolean') throw new BillsResponseError(`${what}: "has_more" must be true or false`);
  const nextPage = page.next_page === null || page.next_page === undefined ? null : page.next_page;
  if (nextPage !== null && typeof nextPage !== 'string') throw new BillsResponseError(`${what}: "next_page" must be a string or null`);
  return {
    buckets: page.data.map((bucket, index) => readBucket(object(bucket, `${what}: data[${index}]`), `${what}: data[${index}]`)),
    hasMore: page.has_more,
    nextPage,
  };
}

/**
 * Reads every page of a report (`path` with its query, without `page`), following `next_page` while `has_more`.
 * Results of a day that comes back in more than one bucket (a day split across pages) are joined. Days outside
 * `range` are left out.
 */
export async function readReport(
  client: AdminClient,
  path: string,
  range: DayRange,
  readPage: (body: unknown, what: string) => ReportPage,
): Promise<Map<string, unknown[]>> {
  const days = new Map<string, unknown[]>();
  const cursors = new Set<string>();
  let cursor: string | null = null;
  for (let pages = 0; ; pages += 1) {
    if (pages >= MAX_PAGES) throw new BillsResponseError(`${client.api.label} ${path.split('?')[0]}: more than ${MAX_PAGES} pages`);
    const pagePath: string = cursor === null ? path : `${path}&page=${encodeURIComponent(cursor)}`;
    const page = readPage(await client.get(pagePath), `${client.api.label} ${path.split('?')[0]}`);
    for (const bucket of page.buckets) {
      if (bucket.day < range.first || bucket.day >= range.end) continue;
      const results = days.get(bucket.day);
      if (results) results.push(...bucket.results);
      else days.set(bucket.day, [...bucket.results]);
    }
    if (!page.hasMore) return days;
    if (page.nextPage === null || page.nextPage === '') {
      throw new BillsResponseError(`${client.api.label} ${path.split('?')[0]}: has_more is true but next_page is empty`);
    }
    if (cursors.has(page.nextPage)) throw new BillsResponseError(`${client.api.label} ${path.split('?')[0]}: next_page repeats an earlier page`);
    cursors.add(page.nextPage);
    cursor = page.nextPage;
  }
}
