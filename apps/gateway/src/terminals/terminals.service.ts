// A merchant's terminals: its list, and which provider a command's terminals belong to. Another
// merchant's terminal looks exactly like an unknown one.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode, FieldError, Provider } from '@app/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { encodeCursor } from '../http/cursor.codec';
import { TerminalRow, TerminalView, toTerminalView } from './terminal.schema';

export interface TerminalPage {
  data: TerminalView[];
  nextCursor: string | null;
}

@Injectable()
export class TerminalsService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Ordered by terminal id, keyset-paged on (terminal_id, provider). */
  async list(merchantId: string, limit: number, after?: { terminalId: string; provider: string }): Promise<TerminalPage> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM terminals WHERE merchant_id = $1 AND ($2::text IS NULL OR (terminal_id, provider) > ($2, $3))
        ORDER BY terminal_id, provider LIMIT $4`,
      [merchantId, after?.terminalId ?? null, after?.provider ?? null, limit + 1],
    )) as TerminalRow[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toTerminalView),
      nextCursor: rows.length > limit && last ? encodeCursor([last.terminal_id, last.provider]) : null,
    };
  }

  /** The Klio device a registered Klio terminal sends its tasks to. */
  async deviceOf(manager: EntityManager, merchantId: string, terminalId: string): Promise<string> {
    const [row] = (await manager.query(
      `SELECT device_id FROM terminals WHERE merchant_id = $1 AND terminal_id = $2 AND provider = 'klio'`,
      [merchantId, terminalId],
    )) as { device_id: string | null }[];
    if (!row?.device_id) {
      throw new AppError(ErrorCode.TerminalNotFound, 422, `Terminal ${terminalId} names no Klio device.`, [
        { field: 'terminalIds.0', message: 'no Klio device registered for it' },
      ]);
    }
    return row.device_id;
  }

  /** The one provider of all `terminalIds`, each registered to the merchant; else a 422 naming each bad one. */
  async providerOf(manager: EntityManager, merchantId: string, terminalIds: readonly string[], field = 'terminalIds'): Promise<Provider> {
    const rows = (await manager.query(
      'SELECT provider, terminal_id FROM terminals WHERE merchant_id = $1 AND terminal_id = ANY($2)',
      [merchantId, terminalIds],
    )) as { provider: Provider; terminal_id: string }[];
    const missing: FieldError[] = [];
    terminalIds.forEach((id, i) => {
      if (!rows.some((r) => r.terminal_id === id)) missing.push({ field: `${field}.${i}`, message: `terminal ${id} is not registered` });
    });
    if (missing.length > 0) {
      throw new AppError(ErrorCode.TerminalNotFound, 422, 'Every terminal must be registered to this merchant.', missing);
    }
    const providers = [...new Set(rows.map((r) => r.provider))];
    const common = providers.find((p) => terminalIds.every((id) => rows.some((r) => r.terminal_id === id && r.provider === p)));
    if (!common) {
      throw new AppError(ErrorCode.TerminalProvidersDiffer, 422, 'All terminals of one command must be of the same provider.', [
        { field, message: `terminals of several providers: ${providers.join(', ')}` },
      ]);
    }
    return common;
  }
}
