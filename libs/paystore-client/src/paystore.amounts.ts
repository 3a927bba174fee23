// PayStore amounts are strings of cents ("1500" = $15.00). These two conversions are the only
// place money crosses between the wire and the product's integer minor units; both refuse anything
// that is not exactly a non-negative whole number of cents rather than guess.

const DIGITS = /^[0-9]+$/;

/** "1500" → 1500. Throws a RangeError on signs, decimals, spaces, empty or unsafe values. */
export function toMinorUnits(wire: string): number {
  if (typeof wire !== 'string' || !DIGITS.test(wire)) {
    throw new RangeError(`PayStore amount must be a string of digits (cents), got ${JSON.stringify(wire)}`);
  }
  const value = Number(wire);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`PayStore amount ${JSON.stringify(wire)} is too large`);
  }
  return value;
}

/** 1500 → "1500". Throws a RangeError on fractions, negatives, NaN, infinities and unsafe values. */
export function toWireAmount(minorUnits: number): string {
  if (typeof minorUnits !== 'number' || !Number.isSafeInteger(minorUnits) || minorUnits < 0) {
    throw new RangeError(`amount must be a non-negative whole number of cents, got ${String(minorUnits)}`);
  }
  return String(minorUnits);
}
