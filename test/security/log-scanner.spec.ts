// The log scanner must find what it is there to find, or the log test proves nothing.
import { findSecrets, luhnValid, panCandidates } from './log-scanner';

const KEY = 'ecr_Zm9vYmFyYmF6cXV4cXV1eHh5enp5MTIzNDU2Nzg5MA';
const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: 1764380000000, app: 'gateway', ...fields });

describe('log scanner', () => {
  it('knows Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('5500005555555559')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('finds card numbers, grouped or not, and nothing else of that length', () => {
    expect(panCandidates('card 4111111111111111 read')).toEqual(['4111111111111111']);
    expect(panCandidates('card 4111 1111 1111 1111 read')).toEqual(['4111 1111 1111 1111']);
    expect(panCandidates('card 3782-822463-10005 read')).toEqual(['3782-822463-10005']);
    expect(panCandidates('amount 150000, terminal 38011128, cuit 30-71234567-1')).toEqual([]);
    expect(panCandidates('not luhn 4111111111111112')).toEqual([]);
    expect(panCandidates('too long 41111111111111111111111')).toEqual([]);
  });

  it('finds a planted API key, admin key or client secret wherever it is', () => {
    const planted = [
      line({ msg: 'request', note: `key was ${KEY}` }),
      line({ msg: 'oops', err: { message: 'bad secret sandbox-secret-xyz' } }),
      `plain text line with ${KEY.slice(4)}`,
    ];
    const findings = findSecrets(planted, [KEY, KEY.slice(4), 'sandbox-secret-xyz']);
    expect(findings.map((f) => f.kind)).toEqual(expect.arrayContaining(['secret']));
    expect(findings.filter((f) => f.kind === 'secret')).toHaveLength(4);
    // Findings never repeat the secret itself.
    for (const f of findings) expect(f.line).not.toContain(KEY.slice(4));
  });

  it('finds bearer tokens and credential fields even when the value is not known', () => {
    const findings = findSecrets(
      [
        line({ headers: { authorization: 'Bearer abcdefghijklmnop' } }),
        line({ access_token: 'tok_1234567890abcdef' }),
        line({ msg: 'calling with Authorization=Basic dXNlcjpwYXNzd29yZA==' }),
        'curl -H "Authorization: Bearer zyxwvutsrqponm"',
      ],
      [],
    );
    expect(new Set(findings.map((f) => f.kind))).toEqual(new Set(['bearer', 'authorization']));
    expect(findings.filter((f) => f.kind === 'authorization').length).toBeGreaterThanOrEqual(3);
  });

  it('finds a card number in a log line, but not in pino\'s time', () => {
    expect(findSecrets([line({ card: { pan: '4111111111111111' } })], []).map((f) => f.kind)).toEqual(['pan']);
    // 1764380000000 passes Luhn: as `time` it is no finding, anywhere else it is.
    expect(luhnValid('1764380000000')).toBe(true);
    expect(findSecrets([JSON.stringify({ level: 30, time: 1764380000000, msg: 'ok' })], [])).toEqual([]);
    expect(findSecrets([line({ value: 1764380000000 })], []).map((f) => f.kind)).toEqual(['pan']);
  });

  it('lets redacted values and ordinary lines through', () => {
    expect(
      findSecrets(
        [
          line({ req: { headers: { authorization: '[redacted]' } }, apiKey: '[redacted]' }),
          line({ msg: 'request', method: 'POST', route: '/v1/payments', status: 202, ms: 12, reqId: 'req-1' }),
          line({ msg: 'job step', operationId: 'pay_06h29z0t1aqy1zx2knmp4d07cg', amount: 150000, bin: '411111', last4: '1111' }),
        ],
        [KEY],
      ),
    ).toEqual([]);
  });
});
