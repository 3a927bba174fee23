import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Merchant API keys are stored as SHA-256 of the full key: keys are 256-bit random, so no salt or KDF is needed. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Index()
  @Column({ name: 'merchant_id', type: 'varchar', length: 40 })
  merchantId!: string;

  @Column({ name: 'key_hash', type: 'char', length: 64, unique: true })
  keyHash!: string;

  /** The last four characters, so an operator can tell keys apart. */
  @Column({ type: 'varchar', length: 4 })
  hint!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
