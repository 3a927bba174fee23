import { cuitCheckDigit, formatCuit, isValidCuit } from './cuit.validator';

describe('CUIT validation', () => {
  it.each(['20-12345678-6', '20123456786', '30-71234567-1', '30712345671', '27-28033514-8', '33-69345023-9'])(
    'accepts %p',
    (cuit) => {
      expect(isValidCuit(cuit)).toBe(true);
    },
  );

  it.each([
    ['a wrong check digit', '30-71234567-8'],
    ['a wrong check digit without hyphens', '20123456787'],
    ['too few digits', '2012345678'],
    ['too many digits', '201234567860'],
    ['letters', '20-1234567A-6'],
    ['an unknown prefix', '11-12345678-9'],
    ['all zeros', '00000000000'],
    ['misplaced hyphens', '201-2345678-6'],
    ['empty', ''],
  ])('refuses %s', (_why, cuit) => {
    expect(isValidCuit(cuit)).toBe(false);
  });

  it('computes the mod-11 check digit, and none when it would be 10', () => {
    expect(cuitCheckDigit('2012345678')).toBe(6);
    expect(cuitCheckDigit('3071234567')).toBe(1);
    expect(cuitCheckDigit('2000000001')).toBeNull();
    expect(isValidCuit('20-00000001-0')).toBe(false);
  });

  it('formats with hyphens', () => {
    expect(formatCuit('20123456786')).toBe('20-12345678-6');
    expect(formatCuit(' 20-12345678-6 ')).toBe('20-12345678-6');
  });
});
