import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { BrandTotals, OperationRequest, OperationResult } from './operation.types';
import { bigintToNumber } from './transformers';

/**
 * One row per payment, reversal, refund or settlement: the source of truth for its status. Every
 * status change is written together with its outbox event (see OperationsRepository.transition).
 */
@Entity({ name: 'operations' })
export class OperationEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: 'payment' | 'reversal' | 'refund' | 'settlement';

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ name: 'merchant_id', type: 'varchar', length: 40 })
  merchantId!: string;

  @Column({ type: 'varchar', length: 20 })
  provider!: string;

  @Column({ name: 'terminal_ids', type: 'jsonb' })
  terminalIds!: string[];

  @Column({ name: 'terminal_id', type: 'varchar', length: 64, nullable: true })
  terminalId!: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber })
  amount!: number | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  reference!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  description!: string | null;

  /** What the command asked for beyond the columns above (installments, plan, method, print…). */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  request!: OperationRequest;

  /** What the provider answered once known (card, authorization, batch, receipt, failure…). */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  result!: OperationResult;

  @Column({ type: 'jsonb', nullable: true })
  totals!: BrandTotals[] | null;

  @Column({ name: 'provider_id', type: 'varchar', length: 64, nullable: true })
  providerId!: string | null;

  /** For a reversal: the payment it gives back. */
  @Column({ name: 'payment_id', type: 'varchar', length: 40, nullable: true })
  paymentId!: string | null;

  /** Payments: how much of it reversals have given back so far (partial reversals add up). */
  @Column({ name: 'reversed_amount', type: 'bigint', default: 0, transformer: bigintToNumber })
  reversedAmount!: number;

  /**
   * For a payment: the reversal (or AMEX refund) in flight, or the one that gave the whole payment
   * back. A partial reversal that leaves money to give back clears it when it ends.
   */
  @Column({ name: 'reversal_id', type: 'varchar', length: 40, nullable: true })
  reversalId!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /**
   * Set, and committed, before the create is sent to the provider. A row with this set and no
   * provider id may exist at the provider: it is looked up by reference, never sent again.
   */
  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  /** Why a cancel is under way: asked by the cash register, or the deadline passed. */
  @Column({ name: 'cancel_reason', type: 'varchar', length: 16, nullable: true })
  cancelReason!: 'requested' | 'expired' | null;

  @Column({ name: 'final_at', type: 'timestamptz', nullable: true })
  finalAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
