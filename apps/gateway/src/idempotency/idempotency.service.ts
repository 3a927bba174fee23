// Idempotent commands, one mechanism for every command that creates or changes an operation
// (payments now; reversals, refunds and settlements reuse it as they arrive).
//
// A key is scoped to (merchant, key) and kept 30 days with the command (`POST /v1/payments`) and
// the hash of its parsed input. The key row is CLAIMED inside the very transaction that makes the
// change: INSERT … ON CONFLICT DO NOTHING. A concurrent request with the same key blocks on that
// insert until the first one commits (then it finds the winner and replays it) or rolls back
// (then it proceeds as the first). So N concurrent requests with one key make exactly one change,
// and a failed command (validation, 409, crash) leaves no key behind.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import { IDEMPOTENCY_WINDOW_DAYS } from '@app/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { requestHash } from './canonical-json.hash';


export interface IdempotentCommand {
  merchantId: string;
  key: string;
  /** Method and route template, e.g. `POST /v1/payments/{id}/cancel`. */
  command: string;
  /** The parsed command (defaults applied) and path parameters; hashed canonically. */
  input: unknown;
}

export interface IdempotentOutcome {
  operationId: string;
  /** True when this request answered an earlier one instead of acting. */
  replayed: boolean;
}

/**
 * Stores the key for `operationId` in `manager`'s transaction. Call it in the transaction that
 * makes the change, before it commits; when another request already holds the key it throws,
 * the transaction rolls back, and `run` replays that request instead.
 */
export type ClaimKey = (manager: EntityManager, operationId: string) => Promise<void>;

interface StoredKey {
  command: string;
  request_hash: string;
  operation_id: string;
}

class KeyHeldElsewhere extends Error {}

@Injectable()
export class IdempotencyService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Runs `perform` once per (merchant, key). `perform` makes the change, calls `claim` inside the
   * transaction that writes it, and returns the operation id. Same key and same input: the stored
   * operation id, `replayed`. Same key, another input or command: 409 IDEMPOTENCY.KEY_REUSED.
   */
  async run(
    command: IdempotentCommand,
    perform: (claim: ClaimKey) => Promise<string>,
    options: { claimFirst?: boolean } = {},
  ): Promise<IdempotentOutcome> {
    const hash = requestHash(command.input);
    // Creates skip the look-up: the claim inside `perform` finds a held key, so a replay costs a
    // rolled-back transaction instead of every first request paying a round trip. Commands on an
    // existing operation look first, because `perform` checks the operation's current state.
    if (!options.claimFirst) {
      const prior = await this.find(this.dataSource.manager, command.merchantId, command.key);
      if (prior) return this.replay(prior, command, hash);
    }
    try {
      const operationId = await perform(async (manager, id) => {
        if (!(await this.claim(manager, command, hash, id))) throw new KeyHeldElsewhere();
      });
      return { operationId, replayed: false };
    } catch (err) {
      if (!(err instanceof KeyHeldElsewhere)) throw err;
    }
    const winner = await this.find(this.dataSource.manager, command.merchantId, command.key);
    if (!winner) throw new Error(`idempotency key conflict without a stored key (merchant ${command.merchantId})`);
    return this.replay(winner, command, hash);
  }

  private async find(manager: EntityManager, merchantId: string, key: string): Promise<StoredKey | null> {
    const rows = (await manager.query(
      `SELECT command, request_hash, operation_id FROM idempotency_keys
        WHERE merchant_id = $1 AND key = $2 AND created_at > now() - make_interval(days => $3)`,
      [merchantId, key, IDEMPOTENCY_WINDOW_DAYS],
    )) as StoredKey[];
    return rows[0] ?? null;
  }

  /** True when this transaction now holds the key; false when another request got it first. */
  private async claim(manager: EntityManager, command: IdempotentCommand, hash: string, operationId: string): Promise<boolean> {
    // A key past its window counts as absent: the same statement takes it over.
    const inserted = (await manager.query(
      `INSERT INTO idempotency_keys (merchant_id, key, command, request_hash, operation_id)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (merchant_id, key) DO UPDATE
         SET command = EXCLUDED.command, request_hash = EXCLUDED.request_hash,
             operation_id = EXCLUDED.operation_id, created_at = now()
         WHERE idempotency_keys.created_at <= now() - make_interval(days => $6)
       RETURNING key`,
      [command.merchantId, command.key, command.command, hash, operationId, IDEMPOTENCY_WINDOW_DAYS],
    )) as unknown[];
    return inserted.length === 1;
  }

  private replay(stored: StoredKey, command: IdempotentCommand, hash: string): IdempotentOutcome {
    if (stored.command !== command.command || stored.request_hash !== hash) {
      throw new AppError(
        ErrorCode.IdempotencyKeyReused,
        409,
        'This Idempotency-Key was already used with a different request. Use a new key for a new command.',
        [{ field: 'Idempotency-Key', message: `already used for ${stored.command} with another body` }],
      );
    }
    return { operationId: stored.operation_id, replayed: true };
  }
}
