/** Provider-reported costs become exact decimal strings, never float artefacts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticksToUsd, toDecimalString } from '../src/decimal.js';

describe('decimal strings', () => {
  it('converts xAI ticks (1e-10 USD) exactly', () => {
    expect(ticksToUsd(1399000)).toBe('0.0001399');
    expect(ticksToUsd(1466250)).toBe('0.000146625');
    expect(ticksToUsd(0)).toBe('0');
    expect(ticksToUsd(123_4567890123)).toBe('123.4567890123');
    expect(ticksToUsd('10000000000')).toBe('1');
    expect(ticksToUsd(-1)).toBeUndefined();
    expect(ticksToUsd(1.5)).toBeUndefined();
  });

  it('writes JSON numbers as the decimals they denote', () => {
    expect(toDecimalString(9.25e-6)).toBe('0.00000925');
    expect(toDecimalString(0.000837)).toBe('0.000837');
    expect(toDecimalString(1e21)).toBe('1000000000000000000000');
    expect(toDecimalString(7.5e-5)).toBe('0.000075');
    expect(toDecimalString('0.0133176')).toBe('0.0133176');
    expect(toDecimalString(0)).toBe('0');
    expect(toDecimalString(Number.NaN)).toBeUndefined();
    expect(toDecimalString(-1)).toBeUndefined();
    expect(toDecimalString('1e-3x')).toBeUndefined();
  });

  it('round-trips every finite non-negative double', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e12, noNaN: true }), (n) => {
        const text = toDecimalString(n)!;
        expect(text).toMatch(/^\d+(\.\d*[1-9])?$/);
        expect(Number(text)).toBe(n);
      }),
      { numRuns: 1000 },
    );
  });
});
