import { AppError } from '@app/common';
import { parseBusCommand } from './bus-command.parser';

const create = {
  command: 'payment.create',
  apiKey: 'ecr_x',
  idempotencyKey: 'k-1',
  body: { terminalIds: ['12345678'], amount: 1000, currency: 'ARS' },
};

function refusal(type: string, data: Record<string, unknown>): AppError {
  try {
    parseBusCommand(type, data);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('parsed');
}

describe('bus command parser', () => {
  it('reads a command with the defaults its HTTP route applies', () => {
    const command = parseBusCommand('command.payment.create', create);
    expect(command).toMatchObject({ command: 'payment.create', idempotencyKey: 'k-1', body: { installments: 1, method: 'card', expiresInSeconds: 120 } });
  });

  it('names body fields as HTTP does and envelope fields by their own names', () => {
    const err = refusal('command.payment.cancel', { ...create, command: 'payment.cancel', body: { amount: 1 }, priority: 1 });
    expect(err).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', status: 400 });
    expect(err.errors.map((e) => e.field).sort()).toEqual(['amount', 'operationId', 'priority']);
  });

  it('refuses a missing body as HTTP refuses an empty request', () => {
    const { body: _omitted, ...noBody } = create;
    expect(refusal('command.payment.create', noBody).errors).toEqual([{ field: '', message: expect.any(String) }]);
  });

  it('puts a bad idempotency key before every other fault, with the codes of the header', () => {
    expect(refusal('command.payment.create', { ...create, idempotencyKey: undefined, body: {} }).code).toBe('IDEMPOTENCY.KEY_MISSING');
    expect(refusal('command.payment.create', { ...create, idempotencyKey: '' }).code).toBe('IDEMPOTENCY.KEY_INVALID');
  });

  it('refuses an unknown command, and one published under another type', () => {
    expect(refusal('command.payment.refund', { ...create, command: 'payment.refund' }).errors[0].field).toBe('command');
    expect(refusal('command.refund.create', create).errors).toEqual([{ field: 'command', message: expect.stringContaining('command.refund.create') }]);
  });
});
