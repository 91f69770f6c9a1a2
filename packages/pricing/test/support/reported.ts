import { decimalToNano, formatNano, parseDecimal } from '../../src/decimal.js';

/** A reported USD amount (number, exponent notation included) as our 9-decimal string. */
export function parseUsdForTest(value: number | string | undefined): string {
  const d = parseDecimal(value);
  if (d === null) throw new Error(`not a USD amount: ${String(value)}`);
  return formatNano(decimalToNano(d));
}
