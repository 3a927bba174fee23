import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { CloudEvent } from '@app/contracts';
import { bigintToNumber } from './transformers';

/**
 * Events written in the same transaction as the change they describe. `position` is given by the
 * relay when it publishes, one relay at a time, so positions are gapless in publish order and
 * safe to resume from (the SSE `id`).
 */
@Entity({ name: 'outbox' })
export class OutboxEventEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment', transformer: bigintToNumber })
  seq!: number;

  @Column({ type: 'varchar', length: 40, unique: true })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 40 })
  subject!: string;

  @Column({ name: 'merchant_id', type: 'varchar', length: 40 })
  merchantId!: string;

  @Column({ type: 'jsonb' })
  event!: CloudEvent;

  @Column({ type: 'bigint', nullable: true, unique: true, transformer: bigintToNumber })
  position!: number | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
