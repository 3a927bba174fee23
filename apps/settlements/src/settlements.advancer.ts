// Drives one settlement (cierre de lote) of one terminal: create at the provider, poll until the
// terminal closes the batch, then approve with the closed batch number, the closing receipt and
// our totals of that batch, computed in the same transaction as the approval. The lifecycle is the
// shared IntentLifecycle; settlements have no cancel at the provider, so no deadline applies.
import { ErrorCode, isFinal, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { PaystoreClient, SettlementEnvelope } from '@app/paystore-client';
import type { ProviderAdapter } from '@app/providers';
import { done, IntentLifecycle, IntentPort, OperationAdvancer, Step, wait } from '@app/workers';
import { DataSource } from 'typeorm';
import { LandingProvider, operationsStillLanding } from './batch.landing';
import { batchTotals } from './settlement.totals';

/**
 * The PayStore listing settlements need besides the adapter's port: a lost settlement is found in
 * the terminal's list, and a close waits for the batch's operations (the real client satisfies it).
 * Only PayStore closes batches (its capabilities); the gateway refuses a settlement elsewhere.
 */
export type SettlementsProvider = Pick<PaystoreClient, 'listSettlements'> & LandingProvider;

export interface SettlementsAdvancerOptions {
  pollMs: number;
  /**
   * How long a confirmed close waits for operations the provider put in the closed batch to be
   * recorded by their workers; past it the settlement is approved with what Postgres knows.
   */
  landingWaitMs: number;
  /** How far before our submit a settlement found at the provider after a lost answer may have been requested (clock skew). */
  lookupSkewMs?: number;
  now?: () => number;
}

export class SettlementsAdvancer implements OperationAdvancer {
  private readonly port: IntentPort<SettlementEnvelope>;
  private readonly now: () => number;

  constructor(
    private readonly repo: OperationsRepository,
    private readonly dataSource: DataSource,
    private readonly provider: SettlementsProvider,
    adapter: Pick<ProviderAdapter, 'settlement'>,
    private readonly cuitOf: (merchantId: string) => Promise<string>,
    private readonly lifecycle: IntentLifecycle,
    private readonly options: SettlementsAdvancerOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
    if (!adapter.settlement) throw new Error('the settlements worker needs a provider that closes batches');
    this.port = {
      ...(adapter.settlement() as IntentPort<SettlementEnvelope>),
      find: (cuit, op) => this.find(cuit, op),
      beforeFinal: (cuit, op, to, reading) => this.holdForLanding(cuit, op, to, reading.result.batchNumber ?? null),
      finalPatch: async (manager, current, to, patch) => {
        if (to !== 'approved') return {};
        const batch = patch.result?.batchNumber ?? current.result?.batchNumber ?? null;
        return { totals: await batchTotals(manager, { id: current.id, merchantId: current.merchantId, terminalId: terminalOf(current) }, batch) };
      },
    };
  }

  async advance(operationId: string): Promise<Step> {
    const op = await this.repo.findById(operationId);
    if (!op || op.type !== 'settlement') {
      this.logger.warn({ operationId }, 'job for a settlement that does not exist; dropping it');
      return done();
    }
    if (isFinal(op.status as OperationStatus)) return done();
    if (op.status === 'accepted' && !op.submittedAt) {
      const other = await this.otherInFlight(op);
      if (other) {
        // The lookup after a lost answer tells settlements of one terminal apart only one at a time.
        const failure = { code: ErrorCode.SettlementInFlight, message: `settlement ${other} of terminal ${terminalOf(op)} is not finished` };
        return this.lifecycle.finish(op, 'failed', { result: { ...op.result, failure } }, this.port, ['accepted']);
      }
    }
    return this.lifecycle.step(op, await this.cuitOf(op.merchantId), this.port);
  }

  /**
   * Settlements carry no reference of ours at the provider: after a lost answer, ours is the
   * terminal's settlement requested since just before our submit that no other row of ours holds.
   */
  private async find(cuit: string, op: OperationEntity): Promise<SettlementEnvelope | null> {
    const since = (op.submittedAt ?? op.createdAt).getTime() - (this.options.lookupSkewMs ?? 60_000);
    const held = new Set(
      (
        (await this.dataSource.query(
          `SELECT provider_id FROM operations WHERE type = 'settlement' AND merchant_id = $1 AND provider_id IS NOT NULL AND id <> $2`,
          [op.merchantId, op.id],
        )) as { provider_id: string }[]
      ).map((r) => r.provider_id),
    );
    for (let page = 1; page <= 50; page++) {
      const result = await this.provider.listSettlements(cuit, { terminalId: terminalOf(op), from: new Date(since), page, pageSize: 200 });
      const ours = result.settlements.find((s) => !held.has(s.settlements_data.settlement_id));
      if (ours) return ours;
      if (result.settlements.length === 0 || page * 200 >= result.total) return null;
    }
    return null;
  }

  private async otherInFlight(op: OperationEntity): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM operations
        WHERE type = 'settlement' AND merchant_id = $1 AND id <> $2 AND terminal_ids ? $3 AND submitted_at IS NOT NULL
          AND status NOT IN ('approved', 'rejected', 'cancelled', 'expired', 'failed')
        LIMIT 1`,
      [op.merchantId, op.id, terminalOf(op)],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  private async holdForLanding(cuit: string, op: OperationEntity, to: OperationStatus, batch: string | null): Promise<Step | null> {
    if (to !== 'approved' || batch === null) return null;
    const terminalId = terminalOf(op);
    const landing = await operationsStillLanding(this.dataSource, this.provider, cuit, { merchantId: op.merchantId, terminalId }, batch);
    if (landing.length === 0) return null;
    // The first hold records the provider's CONFIRMED; later holds change nothing, so the row's
    // updatedAt is when the close was first seen.
    const seenAt = op.result?.providerStatus === 'CONFIRMED' ? op.updatedAt.getTime() : this.now();
    if (this.now() - seenAt < this.options.landingWaitMs) return wait(this.options.pollMs);
    this.logger.warn(
      { settlementId: op.id, terminalId, batch, landing },
      'operations of the closed batch are still not recorded; approving the settlement without them',
    );
    return null;
  }
}

function terminalOf(op: OperationEntity): string {
  return op.terminalId ?? op.terminalIds[0];
}
