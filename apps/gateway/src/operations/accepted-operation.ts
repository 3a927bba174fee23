// A new operation row as every create command stores it: `accepted`, nothing known from the
// provider yet, and the fields the command does not set left empty.
import { newId } from '@app/common';
import { OPERATION_ID_PREFIX } from '@app/contracts';
import { OperationEntity } from '@app/persistence';

/**
 * How long an intent that no terminal takes stays offered (then it is cancelled at the provider
 * and ends `expired`); the default of a payment, used by reversals and refunds, which have no
 * field for it.
 */
export const INTENT_EXPIRES_IN_SECONDS = 120;

export type AcceptedFields = Pick<OperationEntity, 'type' | 'merchantId' | 'provider' | 'terminalIds' | 'request'> &
  Partial<Pick<OperationEntity, 'id' | 'terminalId' | 'amount' | 'currency' | 'reference' | 'description' | 'paymentId' | 'expiresAt'>>;

export function acceptedOperation(fields: AcceptedFields): OperationEntity {
  return Object.assign(new OperationEntity(), {
    id: newId(OPERATION_ID_PREFIX[fields.type]),
    status: 'accepted',
    terminalId: null,
    amount: null,
    currency: null,
    reference: null,
    description: null,
    result: {},
    totals: null,
    providerId: null,
    paymentId: null,
    reversalId: null,
    expiresAt: null,
    submittedAt: null,
    cancelReason: null,
    finalAt: null,
    ...fields,
  });
}

export function expiresAfter(seconds: number = INTENT_EXPIRES_IN_SECONDS): Date {
  return new Date(Date.now() + seconds * 1000);
}
