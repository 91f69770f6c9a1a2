/**
 * Reading price data (genai-prices v2 JSON) from a file or a URL. Only the CLI and pricer creation read; pricing a
 * call never does I/O.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PriceSourceError } from './errors.js';

/** Where the engine's maintainers publish the current data (the engine's `REMOTE_DATA_JSON_URL`). */
export const DEFAULT_PRICES_URL = 'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json';

function parseJson(text: string, from: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PriceSourceError(`Price data from ${from} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Read a price data file synchronously (pricer creation). */
export function readPriceFileSync(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PriceSourceError(`Cannot read the price data file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseJson(text, path);
}

function isUrl(from: string): boolean {
  return /^https?:\/\//i.test(from);
}

/** Read price data from an `http(s)://` URL (global `fetch`) or a file path. */
export async function readPriceSource(from: string, options: { timeoutMs?: number } = {}): Promise<unknown> {
  if (!isUrl(from)) {
    let text: string;
    try {
      text = await readFile(from, 'utf8');
    } catch (error) {
      throw new PriceSourceError(`Cannot read the price data file ${from}: ${(error as Error).message}`, { cause: error });
    }
    return parseJson(text, from);
  }
  let response: Response;
  try {
    response = await fetch(from, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (error) {
    throw new PriceSourceError(`Cannot fetch price data from ${from}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    throw new PriceSourceError(`Fetching price data from ${from} failed: HTTP ${response.status} ${response.statusText}`);
  }
  return parseJson(await response.text(), from);
}
