// An operation row as the gateway stores it, for tests that build one by hand: a payment
// `accepted` with nothing sent yet, changed by `partial`.
import { OperationEntity } from '@app/persistence';

export function operationFixture(partial: Partial<OperationEntity> = {}): OperationEntity {
  const now = new Date();
  return Object.assign(new OperationEntity(), {
    id: 'pay_fixture',
    type: 'payment',
    status: 'accepted',
    merchantId: 'mer_1',
    provider: 'paystore',
    terminalIds: ['38011128'],
    terminalId: null,
    amount: 150_000,
    currency: 'ARS',
    reference: null,
    description: null,
    request: {},
    result: {},
    totals: null,
    providerId: null,
    paymentId: null,
    reversalId: null,
    reversedAmount: 0,
    expiresAt: null,
    submittedAt: null,
    cancelReason: null,
    finalAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...partial,
  } satisfies Partial<OperationEntity>);
}
