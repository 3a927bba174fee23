// Settlement commands: close the open batch of one of the caller's terminals. One settlement at a
// time per terminal: a settlement carries no reference of ours at the provider, so the worker can
// only tell ours apart after a lost answer while it is the terminal's only one in flight. The
// check and the insert run in one transaction holding the terminal's row lock, so two requests
// for one terminal cannot both pass the check.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { CreateSettlementCommand, ErrorCode, FINAL_STATUSES, Provider } from '@app/contracts';
import { EntityManager } from 'typeorm';
import { IdempotentOutcome } from '../idempotency/idempotency.service';
import { OperationCommands } from '../operations/operation-commands.service';
import { assertCapable } from '../operations/provider-capabilities';

@Injectable()
export class SettlementsService {
  constructor(@Inject(OperationCommands) private readonly commands: OperationCommands) {}

  async create(merchantId: string, key: string, command: CreateSettlementCommand): Promise<IdempotentOutcome> {
    const { terminalId } = command;
    return this.commands.create(merchantId, 'settlement', key, command, async (manager) => {
      const provider = await this.lockTerminal(manager, merchantId, terminalId);
      assertCapable(provider, 'settlement', 'terminalId');
      const open = await this.openSettlement(manager, merchantId, terminalId);
      if (open) {
        throw new AppError(ErrorCode.SettlementInFlight, 409, `Settlement ${open} of terminal ${terminalId} is not finished yet.`, [
          { field: 'terminalId', message: `settlement ${open} is in flight` },
        ]);
      }
      return { provider, terminalIds: [terminalId], terminalId, request: { printReceipt: command.printReceipt } };
    });
  }

  /** Locks the caller's terminal row until the transaction ends, and answers its provider; 422 if it is not the caller's. */
  private async lockTerminal(manager: EntityManager, merchantId: string, terminalId: string): Promise<Provider> {
    const rows = (await manager.query(
      'SELECT provider FROM terminals WHERE merchant_id = $1 AND terminal_id = $2 ORDER BY provider FOR UPDATE',
      [merchantId, terminalId],
    )) as { provider: Provider }[];
    if (rows.length === 0) {
      throw new AppError(ErrorCode.TerminalNotFound, 422, 'The terminal must be registered to this merchant.', [
        { field: 'terminalId', message: `terminal ${terminalId} is not registered` },
      ]);
    }
    return rows[0].provider;
  }

  private async openSettlement(manager: EntityManager, merchantId: string, terminalId: string): Promise<string | null> {
    const rows = (await manager.query(
      `SELECT id FROM operations
        WHERE type = 'settlement' AND merchant_id = $1 AND terminal_id = $2 AND status <> ALL($3)
        LIMIT 1`,
      [merchantId, terminalId, [...FINAL_STATUSES]],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }
}
