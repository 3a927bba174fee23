// The pagoUno client: each request built as the wire wants it, authorized with the raw private or
// public key, sent through its operation's breaker with a real (aborting) timeout; every failure
// a PagounoError with an honest outcome; every answer validated. pagoUno answers HTTP 200 with
// its own `status`, read here like an HTTP status. The client never retries: a charge whose
// answer was lost is found by its external reference (the card tokens are single use anyway).
import { absoluteBaseUrl, ExchangeFailure, observeCall, operationUrl, parseJsonOrUndefined, positiveMs, requireText, timedExchange } from '@app/provider-http';
import { z } from 'zod';
import { PagounoBreakers } from './pagouno-breakers';
import {
  clipText,
  errorFromFetchFailure,
  errorFromStatus,
  invalidRequestError,
  PagounoError,
  PagounoErrorCode,
  protocolError,
} from './pagouno.errors';
import {
  DEFAULT_PAGOUNO_PATHS,
  PAGOUNO_DEFAULTS,
  PAGOUNO_KEY_OF,
  PAGOUNO_MUTATING,
  PagounoBreakerState,
  PagounoCallEvent,
  PagounoClientOptions,
  PagounoOperation,
  PagounoPaths,
} from './pagouno.options';
import {
  AdjustmentRequest,
  adjustmentListSchema,
  adjustmentSchema,
  envelopeSchema,
  groupDataSchema,
  PagounoAdjustment,
  PagounoTransaction,
  PurchaseGroupData,
  PurchaseGroupRequest,
  transactionSchema,
} from './pagouno.wire';

interface RequestSpec {
  operation: PagounoOperation;
  method: 'GET' | 'POST';
  id?: string;
  query?: Record<string, string>;
  json?: unknown;
}

const CLIENT = 'PagounoClient';

export class PagounoClient {
  private readonly baseUrl: string;
  private readonly keys: { private: string; public: string };
  private readonly timeoutMs: number;
  private readonly chargeTimeoutMs: number;
  private readonly paths: PagounoPaths;
  private readonly fetchImpl: typeof fetch;
  private readonly breakers: PagounoBreakers;
  private readonly onCall: ((event: PagounoCallEvent) => void) | undefined;

  constructor(options: PagounoClientOptions) {
    this.baseUrl = absoluteBaseUrl(CLIENT, options.baseUrl);
    this.keys = { private: requireText(CLIENT, 'privateKey', options.privateKey), public: requireText(CLIENT, 'publicKey', options.publicKey) };
    this.timeoutMs = positiveMs(CLIENT, 'timeoutMs', options.timeoutMs, PAGOUNO_DEFAULTS.timeoutMs);
    this.chargeTimeoutMs = positiveMs(CLIENT, 'chargeTimeoutMs', options.chargeTimeoutMs, this.timeoutMs);
    this.paths = { ...DEFAULT_PAGOUNO_PATHS, ...options.paths };
    const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
    this.fetchImpl = options.fetch ?? globalFetch;
    this.onCall = options.onCall;
    this.breakers = new PagounoBreakers(options.breaker, options.onBreakerStateChange);
  }

  /**
   * `POST purchasegroup`. The answer is final: `data.success` true when every transaction was
   * approved; false when any failed, and then pagoUno has reversed the others. A declined card is
   * an answer, not an error. Never retried: on an `unknown` outcome, `findGroup(reference)`.
   */
  async charge(body: PurchaseGroupRequest): Promise<PurchaseGroupData> {
    const operation = 'charge';
    if (!body || body.transaction_group_type !== 1) throw invalidRequestError(operation, 'transaction_group_type must be 1');
    if (typeof body.customer_transaction_identificator !== 'string' || body.customer_transaction_identificator.length === 0) {
      throw invalidRequestError(operation, 'customer_transaction_identificator is required: it is how an uncertain charge is found');
    }
    if (!Array.isArray(body.primary_account_number_list) || body.primary_account_number_list.length === 0) {
      throw invalidRequestError(operation, 'primary_account_number_list needs at least one card');
    }
    return this.call({ operation, method: 'POST', json: body }, groupDataSchema);
  }

  /** `GET purchase/{id}`: one transaction. */
  async getTransaction(transactionId: string): Promise<PagounoTransaction> {
    this.requireId('transaction.get', transactionId);
    return this.call({ operation: 'transaction.get', method: 'GET', id: transactionId }, transactionSchema);
  }

  /** The group charged with this external reference, or null when pagoUno has none (sandbox-defined route). */
  async findGroup(externalReference: string): Promise<PurchaseGroupData | null> {
    this.requireId('group.find', externalReference);
    try {
      return await this.call({ operation: 'group.find', method: 'GET', query: { external_reference: externalReference } }, groupDataSchema);
    } catch (err) {
      if (err instanceof PagounoError && err.code === PagounoErrorCode.NotFound) return null;
      throw err;
    }
  }

  /**
   * One adjustment (annulment or refund) of one transaction (sandbox-defined route). A repeat with
   * the same `external_reference` answers the adjustment already made, so a retry never adjusts twice.
   */
  async adjust(transactionId: string, request: AdjustmentRequest): Promise<PagounoAdjustment> {
    const operation = 'adjustment.create';
    this.requireId(operation, transactionId);
    if (typeof request.external_reference !== 'string' || request.external_reference.length === 0) {
      throw invalidRequestError(operation, 'external_reference is required: it makes the adjustment idempotent');
    }
    return this.call({ operation, method: 'POST', id: transactionId, json: request }, adjustmentSchema);
  }

  /** Every adjustment made with this reference, oldest first (sandbox-defined route). */
  async findAdjustments(externalReference: string): Promise<PagounoAdjustment[]> {
    this.requireId('adjustment.find', externalReference);
    try {
      return await this.call(
        { operation: 'adjustment.find', method: 'GET', query: { external_reference: externalReference } },
        adjustmentListSchema,
      );
    } catch (err) {
      if (err instanceof PagounoError && err.code === PagounoErrorCode.NotFound) return [];
      throw err;
    }
  }

  breakerStates(): Record<PagounoOperation, PagounoBreakerState> {
    return this.breakers.states();
  }

  /** Stops the breakers' timers. Later calls fail with PAGOUNO.CIRCUIT_OPEN (not sent). */
  shutdown(): void {
    this.breakers.shutdown();
  }

  // -------------------------------------------------------------------------------------------

  private requireId(operation: PagounoOperation, id: string): void {
    if (typeof id !== 'string' || id.trim().length === 0) throw invalidRequestError(operation, 'an id is required');
  }

  private async call<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.infer<S>> {
    const seen: { status?: number; httpStatus?: number } = {};
    const onCall = this.onCall;
    return observeCall(
      () => this.breakers.run(spec.operation, () => this.send(spec, schema, seen)),
      onCall &&
        ((durationMs, result) => {
          const err = result.ok ? undefined : result.error;
          const known = err instanceof PagounoError;
          const event: PagounoCallEvent = {
            operation: spec.operation,
            durationMs,
            outcome: result.ok ? 'ok' : known ? err.code : PagounoErrorCode.Protocol,
            status: (known ? err.status : undefined) ?? seen.status,
            httpStatus: seen.httpStatus,
          };
          if (event.status === undefined) delete event.status;
          if (event.httpStatus === undefined) delete event.httpStatus;
          onCall(event);
        }),
    );
  }

  private async send<S extends z.ZodType>(spec: RequestSpec, schema: S, seen: { status?: number; httpStatus?: number }): Promise<z.infer<S>> {
    const raw = await this.exchange(spec);
    seen.status = raw.status;
    seen.httpStatus = raw.status;
    const json = parseJsonOrUndefined(raw.text);
    const envelope = envelopeSchema.safeParse(json);
    if (raw.status < 200 || raw.status >= 300) {
      // Not pagoUno's envelope (a proxy, an injected fault): the HTTP status is all there is.
      const status = envelope.success && envelope.data.status >= 400 ? envelope.data.status : raw.status;
      throw errorFromStatus(spec.operation, status, envelope.success ? this.text(envelope.data.message) : undefined);
    }
    if (!envelope.success) throw protocolError(spec.operation, raw.status, json === undefined ? 'not JSON' : 'no status');
    seen.status = envelope.data.status;
    if (envelope.data.status !== 200) throw errorFromStatus(spec.operation, envelope.data.status, this.text(envelope.data.message));
    const parsed = schema.safeParse(envelope.data.data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw protocolError(spec.operation, raw.status, issue ? `data.${issue.path.join('.')}: ${issue.message}` : 'invalid data');
    }
    return parsed.data;
  }

  private async exchange(spec: RequestSpec): Promise<{ status: number; text: string }> {
    const timeoutMs = PAGOUNO_MUTATING.has(spec.operation) ? this.chargeTimeoutMs : this.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json', authorization: this.keys[PAGOUNO_KEY_OF[spec.operation]] };
    let body: string | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    return timedExchange(this.fetchImpl, { url: this.url(spec), method: spec.method, headers, body, timeoutMs }, (failure) =>
      this.exchangeError(spec.operation, failure),
    );
  }

  private exchangeError(operation: PagounoOperation, failure: ExchangeFailure): PagounoError {
    const error = errorFromFetchFailure(operation, failure.error, failure.timedOutAfterMs);
    if (failure.stage === 'request') return error;
    // The answer started and was lost: the request had arrived.
    return new PagounoError({ code: error.code, outcome: 'unknown', operation, message: error.message });
  }

  private url(spec: RequestSpec): string {
    return operationUrl(this.baseUrl, this.paths[spec.operation], spec.id, spec.query);
  }

  /** Provider text for an error message, with the keys taken out should it echo one. */
  private text(message: string | null | undefined): string | undefined {
    if (!message) return undefined;
    return clipText(message, (t) => [this.keys.private, this.keys.public].reduce((out, key) => out.split(key).join('[redacted]'), t));
  }
}
