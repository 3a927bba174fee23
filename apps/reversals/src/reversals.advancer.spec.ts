import { OperationEntity } from '@app/persistence';
import { paymentProblem } from './reversals.advancer';

function op(fields: Partial<OperationEntity>): OperationEntity {
  return Object.assign(new OperationEntity(), { merchantId: 'mer_1', result: {}, request: {}, terminalIds: [], ...fields });
}

describe('paymentProblem', () => {
  const reversal = op({ id: 'rev_1', type: 'reversal', paymentId: 'pay_1' });
  const approved = op({ id: 'pay_1', type: 'payment', status: 'approved', providerId: 'uuid-1', reversalId: null });

  it('lets an approved payment of the same merchant be reversed, also when it already points at this reversal', () => {
    expect(paymentProblem(reversal, approved)).toBeNull();
    expect(paymentProblem(reversal, op({ ...approved, reversalId: 'rev_1' }))).toBeNull();
  });

  it('refuses a missing payment or another merchant’s', () => {
    expect(paymentProblem(reversal, null)?.code).toBe('PAYMENT.NOT_FOUND');
    expect(paymentProblem(reversal, op({ ...approved, merchantId: 'mer_2' }))?.code).toBe('PAYMENT.NOT_FOUND');
  });

  it('refuses a payment that is not approved', () => {
    expect(paymentProblem(reversal, op({ ...approved, status: 'rejected' }))?.code).toBe('PAYMENT.NOT_APPROVED');
  });

  it('refuses a payment another reversal is giving back', () => {
    expect(paymentProblem(reversal, op({ ...approved, reversalId: 'rev_2' }))?.code).toBe('PAYMENT.ALREADY_REVERSED');
  });
});
