import { toMinorUnits, toWireAmount } from './paystore.amounts';

describe('PayStore amounts', () => {
  it('reads a string of cents as minor units', () => {
    expect(toMinorUnits('1500')).toBe(1500);
    expect(toMinorUnits('0')).toBe(0);
    expect(toMinorUnits('007')).toBe(7);
    expect(toMinorUnits('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each(['', ' 1500', '1500 ', '15.00', '15,00', '-1500', '+1500', '1e3', '0x10', 'NaN', '١٢', '9007199254740993'])(
    'refuses %j',
    (wire) => {
      expect(() => toMinorUnits(wire)).toThrow(RangeError);
    },
  );

  it('refuses values that are not strings', () => {
    expect(() => toMinorUnits(1500 as unknown as string)).toThrow(RangeError);
    expect(() => toMinorUnits(null as unknown as string)).toThrow(RangeError);
  });

  it('writes minor units as a string of cents', () => {
    expect(toWireAmount(1500)).toBe('1500');
    expect(toWireAmount(0)).toBe('0');
    expect(toWireAmount(100_000_000_000)).toBe('100000000000');
  });

  it.each([15.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses to write %p', (n) => {
    expect(() => toWireAmount(n)).toThrow(RangeError);
  });

  it('refuses values that are not numbers', () => {
    expect(() => toWireAmount('1500' as unknown as number)).toThrow(RangeError);
  });

  it('round-trips', () => {
    for (const n of [0, 1, 99, 100, 123456789]) expect(toMinorUnits(toWireAmount(n))).toBe(n);
  });
});
