import { generateApiKey } from '../auth/api-key.codec';
import { commandFieldsRedactor, REDACTED } from './command-fields.redactor';

const key = generateApiKey();
const admin = 'admin-key-0123456789-"quoted"';

function entry(data: Record<string, unknown>): Record<string, string> {
  return { type: 'command.payment.create', id: 'evt_1', subject: 'evt_1', event: JSON.stringify({ id: 'evt_1', type: 'command.payment.create', data }) };
}

describe('command fields redactor', () => {
  const redact = commandFieldsRedactor([admin, undefined]);

  it('swaps the apiKey for its hint and keeps the rest of the command', () => {
    const out = redact(entry({ command: 'payment.create', apiKey: key, idempotencyKey: 'k-1', body: { amount: 100 } }));
    expect(JSON.parse(out.event)).toEqual({
      id: 'evt_1',
      type: 'command.payment.create',
      data: { command: 'payment.create', idempotencyKey: 'k-1', body: { amount: 100 }, apiKeyHint: key.slice(-4) },
    });
    expect(out).toMatchObject({ type: 'command.payment.create', id: 'evt_1', subject: 'evt_1' });
  });

  it('blanks a key, a fragment of one, or the admin key wherever else it stands', () => {
    const out = redact({
      ...entry({ apiKey: admin, body: { description: `see ${key}` } }),
      note: key.slice(0, 20),
      other: `x${admin}x`,
    });
    const all = JSON.stringify(out);
    expect(all).not.toContain(key.slice(4, 12));
    expect(all).not.toContain('admin-key-0123456789');
    expect(out.other).toBe(`x${REDACTED}x`);
  });

  it('blanks keys in an event that does not parse', () => {
    const out = redact({ type: 'command.payment.create', event: `{"data":{"apiKey":"${key}"` });
    expect(out.event).toBe(`{"data":{"apiKey":"${REDACTED}"`);
  });

  it('leaves entries without a credential as they are', () => {
    const fields = entry({ command: 'payment.create', idempotencyKey: 'k-1', body: { reference: 'ecr_' } });
    expect(redact(fields)).toEqual(fields);
  });
});
