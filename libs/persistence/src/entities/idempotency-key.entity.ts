import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One command per (merchant, key) for 30 days: the same body replays, another body is refused. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'merchant_id', type: 'varchar', length: 40 })
  merchantId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  /** Method and route template, e.g. `POST /v1/payments`. */
  @Column({ type: 'varchar', length: 100 })
  command!: string;

  /** SHA-256 of the canonical JSON of the command's input. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash!: string;

  @Column({ name: 'operation_id', type: 'varchar', length: 40 })
  operationId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
