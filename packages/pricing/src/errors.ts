/**
 * Errors users of `@llm-cost/pricing` see. One class per kind, each with a stable `name` and `code`. Pricing a call
 * never throws (unknown models and bad usage are reported in the result); these come from configuration and from
 * loading or syncing price data.
 */

/** A pricer option or an override is invalid (a markup that is not a decimal, an unknown price key, ...). */
export class PriceConfigError extends Error {
  override readonly name = 'PriceConfigError';
  readonly code = 'LLM_COST_PRICE_CONFIG';
}

/** Price data (bundled, a snapshot object or file) failed validation; `problems` lists every finding. */
export class PriceDataError extends Error {
  override readonly name = 'PriceDataError';
  readonly code = 'LLM_COST_PRICE_DATA';
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    const shown = problems.slice(0, 5).join('; ');
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    super(`Price data from ${source} is invalid (${problems.length} problem(s)): ${shown}${more}`);
    this.problems = problems;
  }
}

/** A price source (file or URL) could not be read or is not JSON. */
export class PriceSourceError extends Error {
  override readonly name = 'PriceSourceError';
  readonly code = 'LLM_COST_PRICE_SOURCE';
}
