// A reversal and the payment it gives back point at each other: the reversal's `paymentId`, the
// payment's `reversalId`. The gateway sets `reversalId` when it accepts a reversal (at most one at a
// time per payment); the worker, in the same transaction as the reversal's final status, adds the
// amount given back to the payment's `reversedAmount` on approval (a status becomes final once, so
// once) and keeps the link while nothing is left to give back; it clears the link when a partial
// reversal leaves money to give back or the reversal ends any other way, so the register may ask
// again. It only ever clears a link that points at this reversal.
import { isFinal, OperationStatus } from '@app/contracts';
import type { OperationEntity } from '@app/persistence';
import { EntityManager } from 'typeorm';

export async function linkPayment(manager: EntityManager, reversal: OperationEntity): Promise<void> {
  if (reversal.type !== 'reversal' || !reversal.paymentId) return;
  const status = reversal.status as OperationStatus;
  if (status === 'approved') {
    // The amount given back adds up; the payment stays linked once nothing is left to give back,
    // and is free for another (partial) reversal otherwise.
    await manager.query(
      `UPDATE operations SET reversed_amount = reversed_amount + $3,
          reversal_id = CASE WHEN reversed_amount + $3 >= amount THEN $1 ELSE NULL END,
          updated_at = now(), version = version + 1
        WHERE id = $2 AND type = 'payment' AND (reversal_id = $1 OR reversal_id IS NULL)`,
      [reversal.id, reversal.paymentId, reversal.amount ?? 0],
    );
  } else if (isFinal(status)) {
    await manager.query(
      `UPDATE operations SET reversal_id = NULL, updated_at = now(), version = version + 1
        WHERE id = $2 AND type = 'payment' AND reversal_id = $1`,
      [reversal.id, reversal.paymentId],
    );
  }
}
