import { parsePreferWait } from './prefer-wait.parser';

describe('parsePreferWait', () => {
  it('reads wait=N in seconds', () => {
    expect(parsePreferWait('wait=10')).toBe(10);
  });

  it('finds wait among other preferences and parameters', () => {
    expect(parsePreferWait('respond-async, wait=5')).toBe(5);
    expect(parsePreferWait('return=minimal, WAIT = 7 ;foo=bar')).toBe(7);
    expect(parsePreferWait(['handling=strict', 'wait="12"'])).toBe(12);
  });

  it('clamps waits longer than 60 seconds to 60', () => {
    expect(parsePreferWait('wait=61')).toBe(60);
    expect(parsePreferWait('wait=999999999999')).toBe(60);
  });

  it.each([undefined, '', 'wait', 'wait=', 'wait=abc', 'wait=1.5', 'wait=-3', 'wait=0', 'waiting=5', 'respond-async'])(
    'ignores %p',
    (header) => {
      expect(parsePreferWait(header)).toBeNull();
    },
  );
});
