// Reads operations for one merchant. Tenancy is in every query: another merchant's operation is
// indistinguishable from one that does not exist.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode, OperationType, OperationView } from '@app/contracts';
import { OperationEntity, toOperationView } from '@app/persistence';
import { DataSource } from 'typeorm';
import { cursorTimestampSql, encodeCursor } from '../http/cursor.codec';
import type { OperationListQuery } from './operation.schemas';

export const NOT_FOUND_CODE: Readonly<Record<OperationType, ErrorCode>> = Object.freeze({
  payment: ErrorCode.PaymentNotFound,
  reversal: ErrorCode.ReversalNotFound,
  refund: ErrorCode.RefundNotFound,
  settlement: ErrorCode.SettlementNotFound,
});

export interface OperationPage {
  data: OperationView[];
  nextCursor: string | null;
}

@Injectable()
export class OperationsReader {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async find(merchantId: string, type: OperationType, id: string): Promise<OperationEntity | null> {
    return this.dataSource.getRepository(OperationEntity).findOneBy({ id, merchantId, type });
  }

  async get(merchantId: string, type: OperationType, id: string): Promise<OperationEntity> {
    const op = await this.find(merchantId, type, id);
    if (!op) throw new AppError(NOT_FOUND_CODE[type], 404, `No ${type} ${id}.`);
    return op;
  }

  /** Newest first, keyset-paged on (created_at desc, id desc). */
  async list(merchantId: string, type: OperationType, query: OperationListQuery): Promise<OperationPage> {
    const qb = this.dataSource
      .getRepository(OperationEntity)
      .createQueryBuilder('op')
      .addSelect(cursorTimestampSql('op.created_at'), 'cursor_ts')
      .where('op.merchant_id = :merchantId AND op.type = :type', { merchantId, type });
    if (query.status) qb.andWhere('op.status = :status', { status: query.status });
    if (query.terminalId) qb.andWhere('op.terminal_ids @> :terminal::jsonb', { terminal: JSON.stringify([query.terminalId]) });
    if (query.reference) qb.andWhere('op.reference = :reference', { reference: query.reference });
    if (query.from) qb.andWhere('op.created_at >= :from::timestamptz', { from: query.from });
    if (query.to) qb.andWhere('op.created_at < :to::timestamptz', { to: query.to });
    if (query.cursor) {
      qb.andWhere('(op.created_at, op.id) < (:cursorTs::timestamptz, :cursorId)', {
        cursorTs: query.cursor.createdAt,
        cursorId: query.cursor.id,
      });
    }
    const { entities, raw } = await qb
      .orderBy('op.created_at', 'DESC')
      .addOrderBy('op.id', 'DESC')
      .limit(query.limit + 1)
      .getRawAndEntities<{ cursor_ts: string }>();
    const page = entities.slice(0, query.limit);
    const more = entities.length > query.limit;
    const last = page.length - 1;
    return {
      data: page.map(toOperationView),
      nextCursor: more ? encodeCursor([raw[last].cursor_ts, page[last].id]) : null,
    };
  }
}
