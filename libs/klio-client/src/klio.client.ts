// The Klio SmartPos client: builds each request as the wire wants it, sends it through the
// operation's breaker with a real (aborting) timeout, maps every failure to a KlioError with an
// honest outcome, and validates every answer. It never retries on its own, except one replay
// after a 401 with a fresh token (a 401 means the request was not processed).
import { absoluteBaseUrl, ExchangeFailure, observeCall, operationUrl, parseJsonOrUndefined, positiveMs, redactSecrets, requireText, timedExchange, withTokenReplay } from '@app/provider-http';
import { z } from 'zod';
import { KlioBreakers } from './klio-breakers';
import { KlioTokenCache } from './klio-token.cache';
import {
  errorFromFetchFailure,
  errorFromResponse,
  invalidRequest,
  KlioError,
  KlioErrorCode,
  protocolError,
  tokenFailureError,
} from './klio.errors';
import {
  DEFAULT_KLIO_PATHS,
  KLIO_DEFAULTS,
  KlioBreakerState,
  KlioCallEvent,
  KlioClientOptions,
  KlioOperation,
  KlioPaths,
} from './klio.options';
import {
  CARD_STATUSES,
  devicesAnswerSchema,
  KlioDevice,
  KlioTask,
  KlioTaskPayment,
  KlioTasksRequest,
  QR_STATUSES,
  TASK_STATUSES,
  tasksAnswerSchema,
  taskSchema,
  tokenAnswerSchema,
} from './klio.wire';

interface RequestSpec {
  operation: KlioOperation;
  method: 'GET' | 'POST';
  id?: string;
  query?: Record<string, string>;
  json?: unknown;
}

const CLIENT = 'KlioClient';

export class KlioClient {
  private readonly baseUrl: string;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly timeoutMs: number;
  private readonly submitTimeoutMs: number;
  private readonly paths: KlioPaths;
  private readonly fetchImpl: typeof fetch;
  private readonly tokens: KlioTokenCache;
  private readonly breakers: KlioBreakers;
  private readonly onCall: ((event: KlioCallEvent) => void) | undefined;
  private readonly onUnknownEnum: (field: string, value: string) => void;
  /** Never let these reach an error message, even if Klio echoes them. */
  private readonly secrets: string[];

  constructor(options: KlioClientOptions) {
    this.baseUrl = absoluteBaseUrl(CLIENT, options.baseUrl);
    this.clientId = requireText(CLIENT, 'clientId', options.clientId);
    this.clientSecret = requireText(CLIENT, 'clientSecret', options.clientSecret);
    this.timeoutMs = positiveMs(CLIENT, 'timeoutMs', options.timeoutMs, KLIO_DEFAULTS.timeoutMs);
    this.submitTimeoutMs = positiveMs(CLIENT, 'submitTimeoutMs', options.submitTimeoutMs, this.timeoutMs);
    this.paths = { ...DEFAULT_KLIO_PATHS, ...options.paths };
    const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
    this.fetchImpl = options.fetch ?? globalFetch;
    this.onCall = options.onCall;
    this.onUnknownEnum = options.onUnknownEnum ?? (() => undefined);
    this.secrets = [this.clientSecret];
    this.tokens = new KlioTokenCache(
      () => this.fetchToken(),
      options.tokenRenewBeforeSeconds ?? KLIO_DEFAULTS.tokenRenewBeforeSeconds,
      options.now ?? Date.now,
    );
    this.breakers = new KlioBreakers({
      ...options.breaker,
      ...(options.onBreakerStateChange ? { onStateChange: options.onBreakerStateChange } : {}),
    });
  }

  /**
   * `POST tasks-request`: one or several tasks for one device. Several tasks need distinct
   * `executionOrder`s (the device runs them in that order). Answers one task per task sent, in
   * execution order. Never retried: on an `unknown` outcome, look each one up by its originID.
   */
  async submitTasks(request: KlioTasksRequest): Promise<KlioTask[]> {
    const operation = 'task.submit';
    this.checkRequest(request);
    const answer = await this.call({ operation, method: 'POST', json: request }, tasksAnswerSchema);
    const sent = new Set(request.tasks.map((t) => t.payment.originID));
    if (answer.length !== request.tasks.length || answer.some((t) => !sent.has(t.originID))) {
      throw protocolError(operation, 200, `answered ${answer.length} task(s) that do not match the ${request.tasks.length} sent`);
    }
    for (const task of answer) this.checkEnums(task);
    return answer;
  }

  /** One task for one device. */
  async submitTask(deviceId: string, payment: KlioTaskPayment): Promise<KlioTask> {
    const [task] = await this.submitTasks({ target: { deviceId }, tasks: [{ payment }] });
    return task as KlioTask;
  }

  async getTask(taskId: string | number): Promise<KlioTask> {
    const id = String(taskId);
    if (!/^\d+$/.test(id)) throw invalidRequest('task.get', `taskId ${JSON.stringify(id)} is not a task id`);
    return this.checkEnums(await this.call({ operation: 'task.get', method: 'GET', id }, taskSchema));
  }

  /** Every task created with this originID, oldest first (a payment's annulments carry their own). */
  async findTasksByOriginId(originID: string): Promise<KlioTask[]> {
    if (typeof originID !== 'string' || originID.trim() === '') throw invalidRequest('task.find', 'originID is required');
    const answer = await this.call({ operation: 'task.find', method: 'GET', query: { originID } }, tasksAnswerSchema);
    // Keep only exact matches, in case a filter was ignored; missing one could charge twice.
    return answer.filter((t) => t.originID === originID).map((t) => this.checkEnums(t));
  }

  /** The newest task with this originID, or null. */
  async findTaskByOriginId(originID: string): Promise<KlioTask | null> {
    return (await this.findTasksByOriginId(originID)).at(-1) ?? null;
  }

  /** Only before the task is processed; afterwards Klio answers 409 (outcome `conflict`). */
  async cancelTask(taskId: string | number): Promise<KlioTask> {
    const id = String(taskId);
    if (!/^\d+$/.test(id)) throw invalidRequest('task.cancel', `taskId ${JSON.stringify(id)} is not a task id`);
    return this.checkEnums(await this.call({ operation: 'task.cancel', method: 'POST', id }, taskSchema));
  }

  /** `GET get-pos-devices`: the account's devices (API-driven ones run UNATTENDED). */
  async listDevices(): Promise<KlioDevice[]> {
    return this.call({ operation: 'devices.list', method: 'GET' }, devicesAnswerSchema);
  }

  breakerStates(): Record<KlioOperation, KlioBreakerState> {
    return this.breakers.states();
  }

  /** Stops the breakers' timers; later calls fail with CIRCUIT_OPEN (not sent). */
  shutdown(): void {
    this.breakers.shutdown();
  }

  // -------------------------------------------------------------------------------------------

  private checkRequest(request: KlioTasksRequest): void {
    const op = 'task.submit';
    if (!request?.target?.deviceId?.trim()) throw invalidRequest(op, 'target.deviceId is required');
    const tasks = request.tasks;
    if (!Array.isArray(tasks) || tasks.length === 0) throw invalidRequest(op, 'at least one task is required');
    const orders = new Set<number>();
    const origins = new Set<string>();
    for (const { payment } of tasks) {
      if (!payment?.originID?.trim()) throw invalidRequest(op, 'every task needs an originID: it is how an uncertain submit is found again');
      if (origins.has(payment.originID)) throw invalidRequest(op, `originID ${payment.originID} appears twice`);
      origins.add(payment.originID);
      const amount = payment.originalAmount?.amount;
      if (typeof amount !== 'number' || !(amount > 0) || Math.abs(amount * 100 - Math.round(amount * 100)) > 1e-6) {
        throw invalidRequest(op, 'originalAmount.amount must be positive pesos with at most two decimals');
      }
      if (payment.originalAmount.currency !== 'ARS') throw invalidRequest(op, 'originalAmount.currency must be ARS');
      if (payment.operationType === 'ANNULMENT' && !payment.sourceOriginID?.trim()) {
        throw invalidRequest(op, 'an ANNULMENT needs the sourceOriginID of the payment it annuls');
      }
      if (tasks.length > 1) {
        const order = payment.executionOrder;
        if (!Number.isInteger(order) || (order as number) < 1 || orders.has(order as number)) {
          throw invalidRequest(op, 'several tasks need distinct executionOrder values from 1');
        }
        orders.add(order as number);
      }
    }
  }

  private checkEnums(task: KlioTask): KlioTask {
    const report = (field: string, value: string | null | undefined, known: readonly string[]) => {
      if (typeof value === 'string' && !known.includes(value)) this.onUnknownEnum(field, value);
    };
    report('status', task.status, TASK_STATUSES);
    report('cardPaymentaData.status', task.paymentaData?.cardPaymentaData?.status, CARD_STATUSES);
    report('qrPaymentaData.status', task.paymentaData?.qrPaymentaData?.status, QR_STATUSES);
    return task;
  }

  private async call<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.infer<S>> {
    return withTokenReplay(
      { get: () => this.tokenFor(spec.operation), invalidate: (token) => this.tokens.invalidate(token) },
      (err) => err instanceof KlioError && err.code === KlioErrorCode.Unauthorized && err.httpStatus === 401,
      (token) => this.observed(spec.operation, (seen) => this.send(spec, schema, token, seen)),
    );
  }

  private async observed<T>(operation: KlioOperation, send: (seen: { status?: number }) => Promise<T>): Promise<T> {
    const seen: { status?: number } = {};
    const onCall = this.onCall;
    return observeCall(
      () => this.breakers.run(operation, () => send(seen)),
      onCall &&
        ((durationMs, result) => {
          if (result.ok) {
            onCall({ operation, durationMs, outcome: 'ok', ...(seen.status !== undefined ? { httpStatus: seen.status } : {}) });
            return;
          }
          const err = result.error;
          const known = err instanceof KlioError;
          const status = (known ? err.httpStatus : undefined) ?? seen.status;
          onCall({ operation, durationMs, outcome: known ? err.code : KlioErrorCode.Protocol, ...(status !== undefined ? { httpStatus: status } : {}) });
        }),
    );
  }

  private async tokenFor(operation: KlioOperation): Promise<string> {
    try {
      return await this.tokens.get();
    } catch (err) {
      if (err instanceof KlioError) throw tokenFailureError(operation, err);
      throw err;
    }
  }

  private async fetchToken(): Promise<{ accessToken: string; expiresInSeconds: number }> {
    const spec: RequestSpec = { operation: 'token', method: 'POST', json: { clientId: this.clientId, clientSecret: this.clientSecret } };
    const answer = await this.observed('token', (seen) => this.send(spec, tokenAnswerSchema, undefined, seen));
    this.secrets.push(answer.accessToken);
    if (this.secrets.length > 5) this.secrets.splice(1, 1);
    const seconds = answer.expiresIn === null || answer.expiresIn === undefined ? NaN : Number(answer.expiresIn);
    return { accessToken: answer.accessToken, expiresInSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : KLIO_DEFAULTS.fallbackTokenTtlSeconds };
  }

  private async send<S extends z.ZodType>(spec: RequestSpec, schema: S, token: string | undefined, seen: { status?: number }): Promise<z.infer<S>> {
    const timeoutMs = spec.operation === 'task.submit' ? this.submitTimeoutMs : this.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json' };
    // Klio's header carries the bare token, with no scheme.
    if (token !== undefined) headers['authorization'] = token;
    let body: string | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    }
    const { status, text } = await timedExchange(
      this.fetchImpl,
      { url: this.url(spec), method: spec.method, headers, body, timeoutMs },
      (failure) => this.exchangeError(spec.operation, failure),
    );
    seen.status = status;
    if (status < 200 || status >= 300) throw errorFromResponse(spec.operation, status, parseJsonOrUndefined(text), (t) => this.redact(t));
    const json = parseJsonOrUndefined(text);
    if (json === undefined) throw protocolError(spec.operation, status, text.length === 0 ? 'empty body' : 'not JSON');
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw protocolError(spec.operation, status, issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid');
    }
    return parsed.data;
  }

  private exchangeError(operation: KlioOperation, failure: ExchangeFailure): KlioError {
    const error = errorFromFetchFailure(operation, failure.error, failure.timedOutAfterMs);
    if (failure.stage === 'request') return error;
    // The answer started but was lost: the request had been received.
    return new KlioError({ code: error.code, outcome: 'unknown', operation, message: error.message, httpStatus: failure.status, cause: failure.error });
  }

  private url(spec: RequestSpec): string {
    return operationUrl(this.baseUrl, this.paths[spec.operation], spec.id, spec.query);
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}
