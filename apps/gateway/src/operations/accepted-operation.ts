// A new operation row as every create command stores it: `accepted`, nothing known from the
// provider yet (OperationsRepository.insert stores the fields not given here as null).
import { OperationEntity } from '@app/persistence';

/**
 * How long an intent that no terminal takes stays offered (then it is cancelled at the provider
 * and ends `expired`); the default of a payment, used by reversals and refunds, which have no
 * field for it.
 */
export const INTENT_EXPIRES_IN_SECONDS = 120;

/** `id` is made by the command first: it stores its idempotency key with it before any check. */
export type AcceptedFields = Pick<OperationEntity, 'id' | 'type' | 'merchantId' | 'provider' | 'terminalIds' | 'request'> &
  Partial<Pick<OperationEntity, 'terminalId' | 'amount' | 'currency' | 'reference' | 'description' | 'paymentId' | 'expiresAt'>>;

export function acceptedOperation(fields: AcceptedFields): OperationEntity {
  return Object.assign(new OperationEntity(), { status: 'accepted', result: {}, ...fields });
}

export function expiresAfter(seconds: number = INTENT_EXPIRES_IN_SECONDS): Date {
  return new Date(Date.now() + seconds * 1000);
}
