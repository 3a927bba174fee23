// An operation row as the gateway stores it, for tests that build one by hand: a payment
// `accepted` with nothing sent yet, changed by `partial`.
import { OPERATION_NULL_DEFAULTS, OperationEntity } from '@app/persistence';

export function operationFixture(partial: Partial<OperationEntity> = {}): OperationEntity {
  const now = new Date();
  return Object.assign(new OperationEntity(), OPERATION_NULL_DEFAULTS, {
    id: 'pay_fixture',
    type: 'payment',
    status: 'accepted',
    merchantId: 'mer_1',
    provider: 'paystore',
    terminalIds: ['38011128'],
    amount: 150_000,
    currency: 'ARS',
    request: {},
    result: {},
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...partial,
  } satisfies Partial<OperationEntity>);
}
