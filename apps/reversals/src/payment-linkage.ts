// A reversal and the payment it gives back point at each other: the reversal's `paymentId`, the
// payment's `reversalId`. The gateway sets `reversalId` when it accepts a reversal (at most one at a
// time per payment); the worker, in the same transaction as the reversal's final status, sets it
// again on approval (idempotent) and clears it when the reversal ends any other way, so the
// register may ask again. It only ever clears a link that points at this reversal.
import { isFinal, OperationStatus } from '@app/contracts';
import type { OperationEntity } from '@app/persistence';
import { EntityManager } from 'typeorm';

/** The provider gives AMEX card payments back through its (unreferenced) Refunds API; every other brand through Reversals. */
export function reversalRoute(cardBrand: string | null | undefined): 'reversal' | 'refund' {
  return cardBrand === 'amex' ? 'refund' : 'reversal';
}

export async function linkPayment(manager: EntityManager, reversal: OperationEntity): Promise<void> {
  if (reversal.type !== 'reversal' || !reversal.paymentId) return;
  const status = reversal.status as OperationStatus;
  if (status === 'approved') {
    await manager.query(
      `UPDATE operations SET reversal_id = $1, updated_at = now(), version = version + 1
        WHERE id = $2 AND type = 'payment' AND reversal_id IS NULL`,
      [reversal.id, reversal.paymentId],
    );
  } else if (isFinal(status)) {
    await manager.query(
      `UPDATE operations SET reversal_id = NULL, updated_at = now(), version = version + 1
        WHERE id = $2 AND type = 'payment' AND reversal_id = $1`,
      [reversal.id, reversal.paymentId],
    );
  }
}
