// Refund commands: unreferenced refunds (money back without a payment of ours to point at), which
// the provider offers for AMEX cards only. The API takes no brand: a refund is AMEX by definition,
// it is sent to the provider as AMEX, and a terminal presented another card declines it there.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { CreateRefundCommand, ErrorCode, PROVIDER_CAPABILITIES } from '@app/contracts';
import { IdempotentOutcome } from '../idempotency/idempotency.service';
import { amountOnTerminals, expiresAfter, OperationCommands } from '../operations/operation-commands.service';
import { TerminalsService } from '../terminals/terminals.service';


@Injectable()
export class RefundsService {
  constructor(
    @Inject(TerminalsService) private readonly terminals: TerminalsService,
    @Inject(OperationCommands) private readonly commands: OperationCommands,
  ) {}

  async create(merchantId: string, key: string, command: CreateRefundCommand): Promise<IdempotentOutcome> {
    return this.commands.create(merchantId, 'refund', key, command, async (manager) => {
      const provider = await this.terminals.providerOf(manager, merchantId, command.terminalIds);
      if (!PROVIDER_CAPABILITIES[provider].refund) {
        throw new AppError(ErrorCode.ProviderCapability, 422, `Terminals of ${provider} do not take unreferenced refunds.`, [
          { field: 'terminalIds', message: `${provider} has no refunds` },
        ]);
      }
      return {
        ...amountOnTerminals(provider, command),
        request: { cardBrand: 'amex', printCopies: 'both' },
        expiresAt: expiresAfter(),
      };
    });
  }
}
