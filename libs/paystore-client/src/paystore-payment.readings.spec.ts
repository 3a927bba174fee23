import { paymentDataSchema } from './paystore.types';
import { readPayment } from './paystore.adapter';

function payment(status: string, extra: Record<string, unknown> = {}) {
  return paymentDataSchema.parse({ payment_id: 'p-1', payment_status: status, ...extra });
}

describe('readPayment of an undone payment', () => {
  it('reads an intent undone with no cancel of ours as cancelled on the terminal, naming the terminal that had it', () => {
    expect(readPayment(payment('UNDONE', { terminal_id: '38011128' }), null)).toMatchObject({
      providerId: 'p-1',
      cls: 'cancelled',
      status: 'cancelled',
      terminalId: '38011128',
      result: { providerStatus: 'UNDONE' },
    });
  });

  it('reads it as the register’s cancel or as our deadline when we cancelled it', () => {
    expect(readPayment(payment('UNDONE'), 'requested').status).toBe('cancelled');
    expect(readPayment(payment('UNDONE'), 'expired').status).toBe('expired');
  });

  it('records no card, authorization, batch or failure for an undone payment', () => {
    const { result } = readPayment(payment('UNDONE', { terminal_id: '38011128' }), null);
    expect(result).toEqual({ providerStatus: 'UNDONE' });
  });

  it('changes nothing while an undo is under way', () => {
    expect(readPayment(payment('UNDO_REQUEST'), null)).toMatchObject({ cls: 'cancelling', status: null });
  });
});
