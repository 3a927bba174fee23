// The provider port: what the workers ask of a payment provider, whichever it is. An IntentPort is
// one kind of intent at one provider (create, get, find by our reference, cancel, read an answer
// into our terms); a ProviderAdapter hands out the ports its provider supports, says what it can
// do, and how its failures read. PayStore, Klio SmartPos and pagoUno are adapters behind it.
import type { FailureView, OperationStatus, ProviderCapabilities, ProviderName } from '@app/contracts';
import type { OperationEntity, OperationPatch, OperationResult } from '@app/persistence';
import type { EntityManager } from 'typeorm';

/** What one step of an operation's job tells the runner: the operation is final (or gone). */
export interface Done {
  kind: 'done';
}

/** Look again after `delayMs` (the next poll); the job is delayed, no attempt is spent. */
export interface Wait {
  kind: 'wait';
  delayMs: number;
}

export type Step = Done | Wait;

/** The provider's status of an intent, in the few classes the lifecycle acts on. */
export type IntentClass = 'requested' | 'processing' | 'approved' | 'declined' | 'cancelling' | 'cancelled' | 'error' | 'unknown';

/** One answer of the provider about an intent, read into our terms. */
export interface IntentReading {
  providerId: string;
  cls: IntentClass;
  /** Our status for what the provider says, or null when its status tells us nothing new. */
  status: OperationStatus | null;
  /** The terminal that took it, once known. */
  terminalId: string | null;
  result: OperationResult;
}

/**
 * What a failed provider call means for the intent:
 * - `circuit_open`: not sent, the provider is resting; wait without spending an attempt;
 * - `unknown`: it may have been applied; look it up, never resend;
 * - `not_taken`: the provider did not take it and may take it later (503, refused connection);
 * - `conflict`: the intent's state does not allow it (a terminal took it meanwhile);
 * - `rejected`: refused for good.
 */
export type CallFailure = 'circuit_open' | 'unknown' | 'not_taken' | 'conflict' | 'rejected';

export interface IntentPort<E> {
  create(cuit: string, op: OperationEntity): Promise<E>;
  /**
   * Sends several operations for one device as one ordered request (they run in the order given).
   * Answers each operation's intent, in the same order; null for one the answer does not show
   * (it is then looked up by reference like an uncertain create). Absent when the provider has no
   * such request.
   */
  createBatch?(cuit: string, ops: readonly OperationEntity[]): Promise<(E | null)[]>;
  get(cuit: string, providerId: string): Promise<E>;
  /** The intent a create with our reference left at the provider, if any. */
  find(cuit: string, op: OperationEntity): Promise<E | null>;
  /** Absent when the provider cannot cancel this kind of intent: then no deadline applies either. */
  cancel?(cuit: string, providerId: string): Promise<E>;
  read(envelope: E, op: OperationEntity): IntentReading;
  /** A further call a fresh reading may need (the payment confirmation leg). */
  followUp?(cuit: string, op: OperationEntity, envelope: E): Promise<E>;
  /** The failure recorded when the provider refuses the create for good. */
  rejection?(err: unknown, message: string): FailureView;
  /** Holds a final status back for a while (a settlement waits for operations still landing in its batch). */
  beforeFinal?(cuit: string, op: OperationEntity, to: OperationStatus, reading: IntentReading): Promise<Step | null>;
  /** More to record with a final status, worked out inside the transition's transaction (`patch` is what the lifecycle records). */
  finalPatch?(manager: EntityManager, current: OperationEntity, to: OperationStatus, patch: OperationPatch): Promise<OperationPatch>;
  /** Runs inside the transaction of every status change the lifecycle makes. */
  onChanged?(manager: EntityManager, op: OperationEntity): Promise<void>;
  /** What a failed call of this provider means (each provider reads its own errors). */
  failureOf(err: unknown): CallFailure;
  /** A short human message for a failed call of this provider. */
  messageOf(err: unknown): string;
}

/** The kinds of intent a provider may support. */
export type IntentKind = 'payment' | 'reversal' | 'refund' | 'settlement';

/** One provider behind the port. A kind its capabilities exclude has no port (undefined). */
export interface ProviderAdapter {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  /** The port for payments. */
  payment(): IntentPort<unknown>;
  /** The port that gives `payment` (an approved payment of this provider) back, whole or in part, for `reversal`. */
  reversal?(payment: OperationEntity | null, reversal?: OperationEntity): IntentPort<unknown>;
  /** Unreferenced refunds. */
  refund?(): IntentPort<unknown>;
  /** Batch close of one terminal. */
  settlement?(): IntentPort<unknown>;
  /** The state of each of its breakers, for health and metrics. */
  breakerStates(): Record<string, string>;
  /** Stops its timers (breakers, token refresh). */
  shutdown(): void;
}

/** Our status for a provider status class; null when the class tells us nothing new. */
export function statusOfClass(cls: IntentClass, cancelReason: 'requested' | 'expired' | null): OperationStatus | null {
  switch (cls) {
    case 'requested':
      return 'pending';
    case 'processing':
      return 'in_progress';
    case 'approved':
      return 'approved';
    case 'declined':
      return 'rejected';
    case 'error':
      return 'failed';
    case 'cancelled':
      // Undone with no cancel of ours: someone cancelled it on the terminal.
      return cancelReason === 'expired' ? 'expired' : 'cancelled';
    case 'cancelling':
    case 'unknown':
      return null;
  }
}
