import { createPaymentCommandSchema } from '@app/contracts';
import { canonicalJson, requestHash } from './canonical-json.hash';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
  });

  it('skips undefined members like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('escapes strings as JSON', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak' })).toBe('{"k\\"":"line\\nbreak"}');
  });
});

describe('requestHash', () => {
  it('is the same whatever the key order', () => {
    expect(requestHash({ amount: 1, currency: 'ARS' })).toBe(requestHash({ currency: 'ARS', amount: 1 }));
  });

  it('treats an explicit default and an omitted one as the same command', () => {
    const bare = createPaymentCommandSchema.parse({ terminalIds: ['38011128'], amount: 1500, currency: 'ARS' });
    const explicit = createPaymentCommandSchema.parse({
      currency: 'ARS',
      installments: 1,
      amount: 1500,
      terminalIds: ['38011128'],
      expiresInSeconds: 120,
    });
    expect(requestHash({ body: bare })).toBe(requestHash({ body: explicit }));
  });

  it('tells different commands apart', () => {
    expect(requestHash({ body: { amount: 1500 } })).not.toBe(requestHash({ body: { amount: 1501 } }));
    expect(requestHash({ params: { id: 'pay_1' } })).not.toBe(requestHash({ params: { id: 'pay_2' } }));
    expect(requestHash({ body: { terminalIds: ['a', 'b'] } })).not.toBe(requestHash({ body: { terminalIds: ['b', 'a'] } }));
  });
});
