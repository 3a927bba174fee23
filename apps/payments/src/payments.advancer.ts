// Drives one payment through the shared provider-intent lifecycle (submit once, look uncertain
// creates up by reference, poll, cancel for the register or at the deadline) on the payment port
// of the operation's provider: PayStore, Klio SmartPos or pagoUno.
import { isFinal, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { OperationsRepository } from '@app/persistence';
import { done, IntentLifecycle, OperationAdvancer, ProviderAdapters, Step } from '@app/workers';

export class PaymentsAdvancer implements OperationAdvancer {
  constructor(
    private readonly repo: OperationsRepository,
    private readonly adapters: Pick<ProviderAdapters, 'get'>,
    private readonly cuitOf: (merchantId: string) => Promise<string>,
    private readonly lifecycle: IntentLifecycle,
    private readonly logger: Logger,
  ) {}

  async advance(operationId: string): Promise<Step> {
    const op = await this.repo.findById(operationId);
    if (!op || op.type !== 'payment') {
      this.logger.warn({ operationId }, 'job for a payment that does not exist; dropping it');
      return done();
    }
    if (isFinal(op.status as OperationStatus)) return done();
    return this.lifecycle.step(op, await this.cuitOf(op.merchantId), this.adapters.get(op.provider).payment());
  }
}
