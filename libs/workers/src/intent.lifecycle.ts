// The life of one provider intent behind an operation, the part every worker shares: mark
// `submittedAt` before a create; look an uncertain create up by our own reference, never send it
// again; resend only what the provider said it did not take, a capped number of times; poll to a
// final status; cancel for the register or at the deadline. What differs per provider and per kind
// of intent (which calls, how to read an answer) is an IntentPort. Every change goes through
// OperationsRepository.transition (row lock + outbox event).
import { ErrorCode, isFinal, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { dueInBatch, OperationEntity, OperationPatch, OperationsRepository } from '@app/persistence';
import type { IntentPort } from '@app/providers';
import { done, jitter, RetryLater, Step, wait } from './advance';

export type { CallFailure, IntentClass, IntentPort, IntentReading } from '@app/providers';

/** A batch member another job claimed for a request while this one meant to expire it. */
class ClaimedMeanwhile extends Error {}

export interface IntentLifecycleOptions {
  pollMs: number;
  /** How long after a submit whose outcome is unknown the provider may still show the intent. */
  unknownWindowMs: number;
  /** How long a job waits while the provider's breaker is open. */
  breakerWaitMs: number;
  /** Creates answered "not taken" before the operation fails. */
  createMaxAttempts: number;
  now?: () => number;
  onFinal?: (op: OperationEntity) => void;
}

export class IntentLifecycle {
  private readonly now: () => number;

  constructor(
    private readonly repo: OperationsRepository,
    private readonly options: IntentLifecycleOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** One step of a non-final operation, from its stored status. */
  async step<E>(op: OperationEntity, cuit: string, port: IntentPort<E>): Promise<Step> {
    try {
      switch (op.status as OperationStatus) {
        case 'accepted':
          return await this.fromAccepted(op, cuit, port);
        case 'unknown':
          return await this.resolveUnknown(op, cuit, port);
        case 'cancelling':
          return await this.cancel(op, cuit, port);
        default:
          return await this.poll(op, cuit, port);
      }
    } catch (err) {
      if (port.failureOf(err) === 'circuit_open') throw new RetryLater(jitter(this.options.breakerWaitMs, 0.5));
      throw err;
    }
  }

  /** Ends the operation with `to` (through the port's final hooks); done once it is final. */
  async finish<E>(
    op: OperationEntity,
    to: OperationStatus,
    patch: OperationPatch,
    port: Pick<IntentPort<E>, 'finalPatch' | 'onChanged'>,
    expect?: OperationStatus[],
  ): Promise<Step> {
    const finalPatch = port.finalPatch;
    const res = await this.repo.transition(
      op.id,
      to,
      finalPatch ? async (manager, current) => ({ ...patch, ...(await finalPatch(manager, current, to, patch)) }) : patch,
      expect,
      port.onChanged,
    );
    if (res.kind === 'refused') return isFinal(res.operation.status as OperationStatus) ? done() : wait(0);
    if (res.kind === 'changed') this.options.onFinal?.(res.operation);
    return done();
  }

  private async fromAccepted<E>(op: OperationEntity, cuit: string, port: IntentPort<E>): Promise<Step> {
    if (op.request?.batch && port.createBatch) return this.fromAcceptedInBatch(op, cuit, port, port.createBatch.bind(port));
    if (op.submittedAt) {
      // A create was attempted before (a crash, a lost answer, a 503): look before sending again.
      const found = await port.find(cuit, op);
      if (found) return this.adopt(op, found, cuit, port);
      if (!op.result?.createNotApplied) {
        await this.repo.transition(op.id, 'unknown', {}, ['accepted'], port.onChanged);
        return wait(this.options.pollMs);
      }
    }
    if (op.expiresAt && this.now() >= op.expiresAt.getTime()) {
      // Never reached a terminal before its deadline.
      return this.finish(op, 'expired', {}, port, ['accepted']);
    }
    const marked = await this.repo.transition(
      op.id,
      'accepted',
      { submittedAt: new Date(this.now()), result: { ...op.result, createNotApplied: false } },
      ['accepted'],
    );
    if (marked.kind === 'refused') return wait(0);

    let envelope: E;
    try {
      envelope = await port.create(cuit, marked.operation);
    } catch (err) {
      return this.createFailed(marked.operation, err, port);
    }
    return this.adopt(marked.operation, envelope, cuit, port);
  }

  /**
   * A member of a batch (several operations sent as one ordered request). A job sends the batch
   * only when its own member is due, and then for every member due with it: first it looks up
   * members a request did not reach (never sending one the provider has), then claims under row
   * locks the members still to be sent — `accepted`, unsent or not taken and past their backoff,
   * before their deadline — and sends those alone, in their order, in one request. A member
   * cancelled or expired before the claim is left out and ends on its own job; one already in a
   * request waits for that request's answer, and is looked up by reference like any uncertain create.
   */
  private async fromAcceptedInBatch<E>(
    op: OperationEntity,
    cuit: string,
    port: IntentPort<E>,
    createBatch: NonNullable<IntentPort<E>['createBatch']>,
  ): Promise<Step> {
    const batchId = op.request.batch!.id;
    const now = new Date(this.now());
    let mine: Step | null = null;
    for (const member of await this.repo.batchMembers(batchId)) {
      if (!member.submittedAt || !dueInBatch(member, now)) continue;
      const found = await port.find(cuit, member);
      if (!found) continue;
      const step = await this.adopt(member, found, cuit, port);
      if (member.id === op.id) mine = step;
    }
    if (mine) return mine;

    const claimed = await this.repo.claimBatch(batchId, now, op.id);
    if (claimed.length === 0) return this.unclaimedInBatch(op.id, cuit, port);

    let answers: (E | null)[];
    try {
      answers = await createBatch(cuit, claimed);
    } catch (err) {
      return this.batchCreateFailed(op.id, claimed, err, port);
    }
    for (const [i, member] of claimed.entries()) {
      const answer = answers[i];
      // Not in the answer: its own job looks it up by reference.
      if (answer === null || answer === undefined) continue;
      const step = await this.adopt(member, answer, cuit, port);
      if (member.id === op.id) mine = step;
    }
    return mine ?? wait(this.options.pollMs);
  }

  /** A batch member this job did not claim: in a request already, waiting for its backoff, or no longer to be sent. */
  private async unclaimedInBatch<E>(id: string, cuit: string, port: IntentPort<E>): Promise<Step> {
    const op = await this.repo.findById(id);
    if (!op || op.status !== 'accepted') return wait(0);
    const now = this.now();
    if (op.submittedAt) {
      const found = await port.find(cuit, op);
      if (found) return this.adopt(op, found, cuit, port);
      if (!op.result?.createNotApplied) {
        // In a request whose answer has not come back (yet): the sending job records it; after
        // the window, the member goes the way of any uncertain create.
        if (now - op.submittedAt.getTime() < this.options.unknownWindowMs) return wait(this.options.pollMs);
        await this.repo.transition(op.id, 'unknown', {}, ['accepted'], port.onChanged);
        return wait(0);
      }
    }
    if (op.expiresAt && now >= op.expiresAt.getTime()) return this.expireUnsent(op, port);
    const retryAt = op.result?.retryAt ? Date.parse(op.result.retryAt) : 0;
    return wait(retryAt > now ? retryAt - now : this.options.pollMs);
  }

  /**
   * Ends a batch member that never reached the provider `expired` — decided again under its row
   * lock, so a member another job has just claimed for a request is never expired.
   */
  private async expireUnsent<E>(op: OperationEntity, port: IntentPort<E>): Promise<Step> {
    try {
      const res = await this.repo.transition(
        op.id,
        'expired',
        async (_manager, current) => {
          if (current.submittedAt && current.result?.createNotApplied !== true) throw new ClaimedMeanwhile();
          return {};
        },
        ['accepted'],
        port.onChanged,
      );
      if (res.kind === 'changed') this.options.onFinal?.(res.operation);
      return isFinal(res.operation.status as OperationStatus) ? done() : wait(0);
    } catch (err) {
      if (err instanceof ClaimedMeanwhile) return wait(0);
      throw err;
    }
  }

  /**
   * What a failed batch request means, for every member in it at once. Not taken (or the breaker
   * open): all are given back together, due again after one backoff. Unknown, or a conflict (the
   * provider holds one of these references): all are looked up. Refused for good: all fail.
   */
  private async batchCreateFailed<E>(ownId: string, members: readonly OperationEntity[], err: unknown, port: IntentPort<E>): Promise<Step> {
    const failure = port.failureOf(err);
    const message = port.messageOf(err);
    const ids = members.map((m) => m.id);
    const now = this.now();
    if (failure === 'circuit_open') {
      const delayMs = jitter(this.options.breakerWaitMs, 0.5);
      const retryAt = new Date(now + delayMs).toISOString();
      await this.repo.releaseBatch(ids, (m) => ({ ...m.result, createNotApplied: true, retryAt }));
      throw new RetryLater(delayMs);
    }
    if (failure === 'unknown' || failure === 'conflict') {
      this.logger.warn({ operationIds: ids, err: message }, 'batch create outcome unknown');
      for (const m of members) await this.repo.transition(m.id, 'unknown', {}, ['accepted'], port.onChanged);
      return wait(this.options.pollMs);
    }
    if (failure === 'not_taken') {
      const attempts = Math.max(...members.map((m) => m.result?.createAttempts ?? 0)) + 1;
      if (attempts < this.options.createMaxAttempts) {
        const delayMs = jitter(Math.min(30_000, this.options.pollMs * 2 ** attempts));
        const retryAt = new Date(now + delayMs).toISOString();
        await this.repo.releaseBatch(ids, (m) => ({ ...m.result, createNotApplied: true, createAttempts: attempts, retryAt }));
        return wait(delayMs);
      }
    }
    const failureView =
      failure === 'not_taken'
        ? { code: ErrorCode.ProviderUnavailable, message }
        : (port.rejection?.(err, message) ?? { code: ErrorCode.ProviderRejected, message });
    let mine: Step = wait(0);
    for (const m of members) {
      const step = await this.finish(m, 'failed', { result: { ...m.result, failure: failureView } }, port, ['accepted']);
      if (m.id === ownId) mine = step;
    }
    return mine;
  }

  private async createFailed<E>(op: OperationEntity, err: unknown, port: IntentPort<E>): Promise<Step> {
    const failure = port.failureOf(err);
    if (failure === 'circuit_open') {
      // Not sent: wait for the provider without spending one of the operation's create attempts.
      await this.repo.transition(op.id, 'accepted', { result: { ...op.result, createNotApplied: true } }, ['accepted']);
      throw new RetryLater(jitter(this.options.breakerWaitMs, 0.5));
    }
    if (failure === 'unknown') {
      this.logger.warn({ operationId: op.id, err: port.messageOf(err) }, 'create outcome unknown');
      await this.repo.transition(op.id, 'unknown', {}, ['accepted'], port.onChanged);
      return wait(this.options.pollMs);
    }
    const message = port.messageOf(err);
    if (failure === 'not_taken') {
      const attempts = (op.result?.createAttempts ?? 0) + 1;
      if (attempts >= this.options.createMaxAttempts) {
        return this.finish(
          op,
          'failed',
          { result: { ...op.result, createAttempts: attempts, failure: { code: ErrorCode.ProviderUnavailable, message } } },
          port,
        );
      }
      // Known not created: the next attempt looks it up first, then sends again, after a backoff.
      await this.repo.transition(op.id, 'accepted', { result: { ...op.result, createNotApplied: true, createAttempts: attempts } }, ['accepted']);
      return wait(jitter(Math.min(30_000, this.options.pollMs * 2 ** attempts)));
    }
    const rejected = port.rejection?.(err, message) ?? { code: ErrorCode.ProviderRejected, message };
    return this.finish(op, 'failed', { result: { ...op.result, failure: rejected } }, port);
  }

  private async poll<E>(op: OperationEntity, cuit: string, port: IntentPort<E>): Promise<Step> {
    if (!op.providerId) return this.resolveUnknown(op, cuit, port);
    let envelope = await port.get(cuit, op.providerId);
    const reading = port.read(envelope, op);
    if (reading.cls === 'requested' && port.cancel && op.expiresAt && this.now() >= op.expiresAt.getTime()) {
      const res = await this.repo.transition(op.id, 'cancelling', { cancelReason: 'expired' }, ['pending', 'in_progress'], port.onChanged);
      return res.kind === 'refused' ? wait(0) : this.cancel(res.operation, cuit, port);
    }
    if (port.followUp) envelope = await port.followUp(cuit, op, envelope);
    return this.adopt(op, envelope, cuit, port);
  }

  private async cancel<E>(op: OperationEntity, cuit: string, port: IntentPort<E>): Promise<Step> {
    const undone = op.cancelReason === 'expired' ? 'expired' : 'cancelled';
    if (!op.providerId) {
      if (!op.submittedAt) return this.finish(op, undone, {}, port, ['cancelling']);
      const found = await port.find(cuit, op);
      if (found) return this.adopt(op, found, cuit, port);
      if (this.now() - op.submittedAt.getTime() < this.options.unknownWindowMs) return wait(this.options.pollMs);
      // Searched for the whole window and the provider never had it: nothing to cancel.
      return this.finish(op, undone, {}, port, ['cancelling']);
    }
    const current = await port.get(cuit, op.providerId);
    if (!port.cancel || port.read(current, op).cls !== 'requested') return this.adopt(op, current, cuit, port);
    try {
      return await this.adopt(op, await port.cancel(cuit, op.providerId), cuit, port);
    } catch (err) {
      // Conflict: a terminal took it meanwhile; unknown: the next look tells. Either way, look again.
      const failure = port.failureOf(err);
      if (failure === 'conflict' || failure === 'unknown') return wait(Math.min(this.options.pollMs, 250));
      throw err;
    }
  }

  private async resolveUnknown<E>(op: OperationEntity, cuit: string, port: IntentPort<E>): Promise<Step> {
    const found = await port.find(cuit, op);
    if (found) return this.adopt(op, found, cuit, port);
    const since = op.submittedAt?.getTime() ?? op.createdAt.getTime();
    if (this.now() - since < this.options.unknownWindowMs) return wait(this.options.pollMs);
    return this.finish(
      op,
      'failed',
      {
        result: {
          ...op.result,
          failure: { code: ErrorCode.ProviderOutcomeUnknown, message: 'the provider has no record of the intent; it was not sent again' },
        },
      },
      port,
    );
  }

  /** Records what the provider says of the intent, and decides when to look next. */
  private async adopt<E>(op: OperationEntity, envelope: E, cuit: string, port: IntentPort<E>): Promise<Step> {
    const reading = port.read(envelope, op);
    const from = op.status as OperationStatus;
    let to: OperationStatus = reading.status ?? (reading.cls === 'cancelling' ? 'cancelling' : from);
    if (to === from && (from === 'accepted' || from === 'unknown')) to = 'pending';
    // A cancel under way stays `cancelling` until the provider says how it ended.
    if (from === 'cancelling' && !isFinal(to)) to = 'cancelling';
    const patch: OperationPatch = {
      providerId: reading.providerId,
      terminalId: reading.terminalId ?? op.terminalId,
      result: { ...op.result, ...reading.result },
    };
    if (isFinal(to)) {
      const held = await port.beforeFinal?.(cuit, op, to, reading);
      if (!held) return this.finish(op, to, patch, port);
      // The terminal is done with it: record what is known meanwhile, then look again.
      const holding: OperationStatus = from === 'cancelling' || from === 'in_progress' ? from : 'in_progress';
      await this.repo.transition(op.id, holding, patch, undefined, port.onChanged);
      return held;
    }
    // Only from the status this step read: a cancel the register asked for meanwhile stays
    // `cancelling` (the next step reads it), instead of being overwritten by the terminal's progress.
    const res = await this.repo.transition(op.id, to, patch, [from], port.onChanged);
    if (res.kind === 'refused') return wait(0);
    return wait(to === 'cancelling' ? Math.min(this.options.pollMs, 250) : this.options.pollMs);
  }
}
