// The PayStore Terminal APIs client: builds each request exactly as the wire wants it, sends it
// through the operation's breaker with a real (aborting) timeout, maps every failure to a
// PaystoreError with an honest outcome, and validates every answer. It never retries on its own,
// except one replay after a 401 with a fresh token (a 401 means the request was not processed).
// No Nest here: paystore.module.ts wraps it.
import {
  absoluteBaseUrl,
  ExchangeFailure,
  observeCall,
  operationUrl,
  parseJsonOrUndefined,
  positiveMs,
  QueryValue,
  RawAnswer,
  redactSecrets,
  requireText,
  timedExchange,
  withTokenReplay,
} from '@app/provider-http';
import { z } from 'zod';
import { PaystoreBreakers } from './paystore-breakers';
import { PaystoreTokenCache } from './paystore-token.cache';
import { toMinorUnits } from './paystore.amounts';
import {
  errorFromFetchFailure,
  errorFromResponse,
  PaystoreError,
  PaystoreErrorCode,
  protocolError,
  tokenFailureError,
} from './paystore.errors';
import {
  PaymentSearchFilter,
  PaymentSearchResult,
  RefundListFilter,
  RefundListResult,
  ReversalListFilter,
  ReversalListResult,
  SettlementListFilter,
  SettlementListResult,
} from './paystore.filters';
import {
  BreakerState,
  DEFAULT_PAYSTORE_PATHS,
  PAYSTORE_DEFAULTS,
  PaystoreCallEvent,
  PaystoreClientOptions,
  PaystoreLogger,
  PaystoreOperation,
  PaystorePaths,
  PaystoreTokenRequestStyle,
} from './paystore.options';
import { classifyPaymentStatus, classifyRefundStatus, classifyReversalStatus, classifySettlementStatus } from './paystore.status';
import {
  ACQUIRER_IDS,
  CARD_TYPES,
  CreatePaymentInput,
  CreatePaymentRequest,
  CreateRefundInput,
  CreateReversalInput,
  CreateReversalRequest,
  livenessResponseSchema,
  PAYMENT_TYPES,
  PaymentEnvelope,
  paymentEnvelopeSchema,
  PaymentRequestData,
  PaymentSearchRequest,
  paymentSearchResponseSchema,
  RefundEnvelope,
  refundEnvelopeSchema,
  refundListResponseSchema,
  RefundRequestData,
  ReversalEnvelope,
  reversalEnvelopeSchema,
  reversalListResponseSchema,
  SettlementEnvelope,
  settlementEnvelopeSchema,
  settlementListResponseSchema,
  TerminalRef,
  tokenResponseSchema,
} from './paystore.types';

/** Used when the token answer carries no readable `expires_in`: short, so a wrong guess costs little. */
const FALLBACK_TOKEN_TTL_SECONDS = 300;
/** The provider's page size cap (docs/paystore-wire.md). */
const MAX_PAGE_SIZE = 200;
/** How many pages a lookup by reference reads before giving up; a reference should match one. */
const MAX_LOOKUP_PAGES = 25;
const UNKNOWN_ENUM_MEMORY = 1000;
const CLIENT = 'PaystoreClient';

type Query = Record<string, QueryValue>;

interface RequestSpec {
  operation: PaystoreOperation;
  method: 'GET' | 'POST' | 'PUT';
  id?: string;
  query?: Query;
  json?: unknown;
  form?: URLSearchParams;
}

/** What a call learned of the provider's answer, for `onCall`. */
interface SeenAnswer {
  status?: number;
}

/** The default `onUnknownEnum`: one warning per field and value, through the logger if given. */
export function warnOncePerUnknownEnum(logger?: PaystoreLogger): (field: string, value: string) => void {
  const seen = new Set<string>();
  return (field, value) => {
    const key = `${field}\u0000${value}`;
    if (seen.has(key)) return;
    if (seen.size < UNKNOWN_ENUM_MEMORY) seen.add(key);
    const message = `PayStore sent an unknown ${field} ${JSON.stringify(value.slice(0, 80))}; treated as 'unknown'`;
    if (logger) logger.warn(message);
    else process.emitWarning(message, { code: 'PAYSTORE_UNKNOWN_ENUM' });
  };
}

function isCreate(operation: PaystoreOperation): boolean {
  return operation.endsWith('.create');
}

function pageQuery(filter: { page?: number; pageSize?: number; from?: Date; to?: Date; statuses?: string[] }): Query {
  return {
    status: filter.statuses && filter.statuses.length > 0 ? filter.statuses : undefined,
    date_from: filter.from?.toISOString(),
    date_to: filter.to?.toISOString(),
    page: filter.page,
    page_size: filter.pageSize,
  };
}

export class PaystoreClient {
  private readonly baseUrl: string;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly subnetAcquirerId: string;
  private readonly timeoutMs: number;
  private readonly createTimeoutMs: number;
  private readonly tokenRequestStyle: PaystoreTokenRequestStyle;
  private readonly paths: PaystorePaths;
  private readonly ecr: { provider: string; name: string; version: string };
  private readonly fetchImpl: typeof fetch;
  private readonly tokens: PaystoreTokenCache;
  private readonly breakers: PaystoreBreakers;
  private readonly reportUnknownEnum: (field: string, value: string) => void;
  private readonly onCall: ((event: PaystoreCallEvent) => void) | undefined;
  /** Secrets that must never reach an error message, even if the provider echoes them. */
  private readonly secrets: string[];

  constructor(options: PaystoreClientOptions) {
    this.baseUrl = absoluteBaseUrl(CLIENT, options.baseUrl);
    this.clientId = requireText(CLIENT, 'clientId', options.clientId);
    this.clientSecret = requireText(CLIENT, 'clientSecret', options.clientSecret);
    this.subnetAcquirerId = requireText(CLIENT, 'subnetAcquirerId', options.subnetAcquirerId);
    this.timeoutMs = positiveMs(CLIENT, 'timeoutMs', options.timeoutMs, PAYSTORE_DEFAULTS.timeoutMs);
    this.createTimeoutMs = positiveMs(CLIENT, 'createTimeoutMs', options.createTimeoutMs, this.timeoutMs);
    this.tokenRequestStyle = options.tokenRequestStyle ?? PAYSTORE_DEFAULTS.tokenRequestStyle;
    this.paths = { ...DEFAULT_PAYSTORE_PATHS, ...options.paths };
    this.ecr = { ...PAYSTORE_DEFAULTS.ecr, ...options.ecr };
    const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
    this.fetchImpl = options.fetch ?? globalFetch;
    this.reportUnknownEnum = options.onUnknownEnum ?? warnOncePerUnknownEnum(options.logger);
    this.onCall = options.onCall;
    const basic = Buffer.from(`${this.clientId}:${this.clientSecret}`, 'utf8').toString('base64');
    this.secrets = [this.clientSecret, basic];

    this.tokens = new PaystoreTokenCache({
      fetchToken: () => this.fetchToken(),
      renewBeforeSeconds: options.tokenRenewBeforeSeconds ?? PAYSTORE_DEFAULTS.tokenRenewBeforeSeconds,
      ...(options.now ? { now: options.now } : {}),
    });
    this.breakers = new PaystoreBreakers({
      ...options.breaker,
      ...(options.onBreakerStateChange ? { onStateChange: options.onBreakerStateChange } : {}),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Payments
  // -------------------------------------------------------------------------------------------

  /**
   * Creates a payment intent. Defaults: `terminal_menu_text` = `ecr_transaction_id`, `ecr_*` from
   * the options, `change_amount` "0", one installment, `print_method` MOBITEF_NON_FISCAL,
   * `print_copies` BOTH, `print_preview` "NONE", CARD, `currency_code` "032", nulls and falses
   * elsewhere. Never retried: on an `unknown` outcome, look it up by `ecr_transaction_id`.
   */
  async createPayment(cuit: string, data: CreatePaymentInput): Promise<PaymentEnvelope> {
    const operation = 'payment.create';
    this.requireCuit(operation, cuit);
    this.requireAmount(operation, 'payment_amount', data.payment_amount, false);
    if (data.change_amount !== undefined) this.requireAmount(operation, 'change_amount', data.change_amount, true);
    this.requireReference(operation, data.ecr_transaction_id);
    const terminals = this.requireTerminals(operation, data.terminals_list);
    const request: PaymentRequestData = {
      subnet_acquirer_id: this.subnetAcquirerId,
      payment_amount: data.payment_amount,
      terminal_menu_text: data.terminal_menu_text ?? data.ecr_transaction_id,
      ecr_provider: data.ecr_provider ?? this.ecr.provider,
      ecr_name: data.ecr_name ?? this.ecr.name,
      ecr_version: data.ecr_version ?? this.ecr.version,
      change_amount: data.change_amount ?? '0',
      ecr_transaction_id: data.ecr_transaction_id,
      installments_number: data.installments_number ?? 1,
      bank_account_type: data.bank_account_type ?? null,
      payment_plan_id: data.payment_plan_id ?? null,
      payment_type: data.payment_type ?? null,
      print_method: data.print_method ?? 'MOBITEF_NON_FISCAL',
      print_copies: data.print_copies ?? 'BOTH',
      print_preview: data.print_preview ?? 'NONE',
      terminals_list: terminals,
      card_brand_product: data.card_brand_product ?? null,
      terminal_operation_method: data.terminal_operation_method ?? 'CARD',
      qr_benefit_code: data.qr_benefit_code ?? false,
      trx_receipt_notes: data.trx_receipt_notes ?? null,
      card_holder_id: data.card_holder_id ?? null,
      merchant_group_code: data.merchant_group_code ?? null,
      is_tip: data.is_tip ?? false,
      currency_code: data.currency_code ?? '032',
    };
    const body: CreatePaymentRequest = { payment_request_data: request };
    const answer = await this.call({ operation, method: 'POST', query: { cuit_cuil: cuit }, json: body }, paymentEnvelopeSchema);
    this.checkPaymentEnums(answer);
    return answer;
  }

  async getPayment(cuit: string, paymentId: string): Promise<PaymentEnvelope> {
    const answer = await this.call(this.read('payment.get', cuit, paymentId), paymentEnvelopeSchema);
    this.checkPaymentEnums(answer);
    return answer;
  }

  async searchPayments(cuit: string, filter: PaymentSearchFilter = {}): Promise<PaymentSearchResult> {
    const operation = 'payment.search';
    this.requireCuit(operation, cuit);
    const body: PaymentSearchRequest = {};
    if (filter.ecrTransactionId !== undefined) body.ecr_transaction_id = filter.ecrTransactionId;
    if (filter.statuses && filter.statuses.length > 0) body.payment_status = [...filter.statuses];
    if (filter.from) body.date_from = filter.from.toISOString();
    if (filter.to) body.date_to = filter.to.toISOString();
    if (filter.page !== undefined) body.page = filter.page;
    if (filter.pageSize !== undefined) body.page_size = filter.pageSize;
    const answer = await this.call(
      { operation, method: 'POST', query: this.commonQuery(cuit), json: body },
      paymentSearchResponseSchema,
    );
    for (const payment of answer.payments) this.checkPaymentEnums(payment);
    return {
      payments: answer.payments,
      page: answer.page ?? filter.page ?? 1,
      pageSize: answer.page_size ?? filter.pageSize ?? answer.payments.length,
      total: answer.total ?? answer.payments.length,
    };
  }

  /**
   * Every payment created with this reference, oldest first. Answers whose echo names another
   * reference are dropped (in case the provider ignored the filter); answers with no echo are
   * kept, trusting the provider's filter, because missing a created payment could double-charge.
   */
  async findPaymentsByEcrTransactionId(cuit: string, ecrTransactionId: string): Promise<PaymentEnvelope[]> {
    this.requireReference('payment.search', ecrTransactionId);
    return this.collect(
      (page) => this.searchPayments(cuit, { ecrTransactionId, page, pageSize: MAX_PAGE_SIZE }),
      (r) => r.payments,
      (p) => p.payment_request_data?.ecr_transaction_id,
      ecrTransactionId,
    );
  }

  /** The newest payment created with this reference, or null when there is none. */
  async findPaymentByEcrTransactionId(cuit: string, ecrTransactionId: string): Promise<PaymentEnvelope | null> {
    const found = await this.findPaymentsByEcrTransactionId(cuit, ecrTransactionId);
    return found.at(-1) ?? null;
  }

  /** Only before a terminal takes the intent; later the provider answers 409 (CONFLICT). */
  async cancelPayment(cuit: string, paymentId: string): Promise<PaymentEnvelope> {
    const answer = await this.call(this.change('payment.cancel', cuit, paymentId), paymentEnvelopeSchema);
    this.checkPaymentEnums(answer);
    return answer;
  }

  /** The confirmation leg (WAITING_CONFIRMATION → CONFIRMED), when the provider has it switched on. */
  async confirmPayment(cuit: string, paymentId: string): Promise<PaymentEnvelope> {
    const answer = await this.call(this.change('payment.confirm', cuit, paymentId), paymentEnvelopeSchema);
    this.checkPaymentEnums(answer);
    return answer;
  }

  // -------------------------------------------------------------------------------------------
  // Reversals (keyed by the original payment_id)
  // -------------------------------------------------------------------------------------------

  /** Reverses a CONFIRMED, non-AMEX payment (AMEX goes through refunds). Never retried. */
  async createReversal(cuit: string, data: CreateReversalInput): Promise<ReversalEnvelope> {
    const operation = 'reversal.create';
    this.requireCuit(operation, cuit);
    this.requireId(operation, 'payment_id', data.payment_id);
    this.requireReference(operation, data.ecr_transaction_id);
    const terminals = this.requireTerminals(operation, data.terminals_list);
    const body: CreateReversalRequest = {
      reversal_request_data: {
        subnet_acquirer_id: this.subnetAcquirerId,
        payment_id: data.payment_id,
        ecr_transaction_id: data.ecr_transaction_id,
        terminal_menu_text: data.terminal_menu_text ?? data.ecr_transaction_id,
        print_copies: data.print_copies ?? 'BOTH',
        terminals_list: terminals,
      },
    };
    const answer = await this.call({ operation, method: 'POST', query: { cuit_cuil: cuit }, json: body }, reversalEnvelopeSchema);
    this.checkReversalEnums(answer);
    return answer;
  }

  async getReversal(cuit: string, paymentId: string): Promise<ReversalEnvelope> {
    const answer = await this.call(this.read('reversal.get', cuit, paymentId), reversalEnvelopeSchema);
    this.checkReversalEnums(answer);
    return answer;
  }

  async listReversals(cuit: string, filter: ReversalListFilter = {}): Promise<ReversalListResult> {
    const operation = 'reversal.list';
    this.requireCuit(operation, cuit);
    const answer = await this.call(
      {
        operation,
        method: 'GET',
        query: { ...this.commonQuery(cuit), ecr_transaction_id: filter.ecrTransactionId, ...pageQuery(filter) },
      },
      reversalListResponseSchema,
    );
    for (const reversal of answer.reversals) this.checkReversalEnums(reversal);
    return {
      reversals: answer.reversals,
      page: answer.page ?? filter.page ?? 1,
      pageSize: answer.page_size ?? filter.pageSize ?? answer.reversals.length,
      total: answer.total ?? answer.reversals.length,
    };
  }

  async findReversalsByEcrTransactionId(cuit: string, ecrTransactionId: string): Promise<ReversalEnvelope[]> {
    this.requireReference('reversal.list', ecrTransactionId);
    return this.collect(
      (page) => this.listReversals(cuit, { ecrTransactionId, page, pageSize: MAX_PAGE_SIZE }),
      (r) => r.reversals,
      (r) => r.reversal_request_data?.ecr_transaction_id,
      ecrTransactionId,
    );
  }

  async findReversalByEcrTransactionId(cuit: string, ecrTransactionId: string): Promise<ReversalEnvelope | null> {
    const found = await this.findReversalsByEcrTransactionId(cuit, ecrTransactionId);
    return found.at(-1) ?? null;
  }

  async cancelReversal(cuit: string, paymentId: string): Promise<ReversalEnvelope> {
    const answer = await this.call(this.change('reversal.cancel', cuit, paymentId), reversalEnvelopeSchema);
    this.checkReversalEnums(answer);
    return answer;
  }

  // -------------------------------------------------------------------------------------------
  // Refunds (unreferenced, AMEX only)
  // -------------------------------------------------------------------------------------------

  /** `card_brand_product` defaults to "AM": the provider only refunds AMEX this way. Never retried. */
  async createRefund(cuit: string, data: CreateRefundInput): Promise<RefundEnvelope> {
    const operation = 'refund.create';
    this.requireCuit(operation, cuit);
    this.requireAmount(operation, 'refund_amount', data.refund_amount, false);
    this.requireReference(operation, data.ecr_transaction_id);
    const terminals = this.requireTerminals(operation, data.terminals_list);
    const body: RefundRequestData = {
      subnet_acquirer_id: this.subnetAcquirerId,
      refund_amount: data.refund_amount,
      terminal_menu_text: data.terminal_menu_text ?? data.ecr_transaction_id,
      ecr_provider: data.ecr_provider ?? this.ecr.provider,
      ecr_name: data.ecr_name ?? this.ecr.name,
      ecr_version: data.ecr_version ?? this.ecr.version,
      ecr_transaction_id: data.ecr_transaction_id,
      print_copies: data.print_copies ?? 'BOTH',
      terminals_list: terminals,
      card_brand_product: data.card_brand_product ?? 'AM',
    };
    const answer = await this.call({ operation, method: 'POST', query: { cuit_cuil: cuit }, json: body }, refundEnvelopeSchema);
    this.checkRefundEnums(answer);
    return answer;
  }

  async getRefund(cuit: string, refundId: string): Promise<RefundEnvelope> {
    const answer = await this.call(this.read('refund.get', cuit, refundId), refundEnvelopeSchema);
    this.checkRefundEnums(answer);
    return answer;
  }

  async listRefunds(cuit: string, filter: RefundListFilter = {}): Promise<RefundListResult> {
    const operation = 'refund.list';
    this.requireCuit(operation, cuit);
    const answer = await this.call(
      {
        operation,
        method: 'GET',
        query: { ...this.commonQuery(cuit), ecr_transaction_id: filter.ecrTransactionId, ...pageQuery(filter) },
      },
      refundListResponseSchema,
    );
    for (const refund of answer.refunds) this.checkRefundEnums(refund);
    return {
      refunds: answer.refunds,
      page: answer.page ?? filter.page ?? 1,
      pageSize: answer.page_size ?? filter.pageSize ?? answer.refunds.length,
      total: answer.total ?? answer.refunds.length,
    };
  }

  async findRefundsByEcrTransactionId(cuit: string, ecrTransactionId: string): Promise<RefundEnvelope[]> {
    this.requireReference('refund.list', ecrTransactionId);
    return this.collect(
      (page) => this.listRefunds(cuit, { ecrTransactionId, page, pageSize: MAX_PAGE_SIZE }),
      (r) => r.refunds,
      (r) => (r.refund_request_data ?? r.refund_request)?.ecr_transaction_id,
      ecrTransactionId,
    );
  }

  async findRefundByEcrTransactionId(cuit: string, ecrTransactionId: string): Promise<RefundEnvelope | null> {
    const found = await this.findRefundsByEcrTransactionId(cuit, ecrTransactionId);
    return found.at(-1) ?? null;
  }

  async cancelRefund(cuit: string, refundId: string): Promise<RefundEnvelope> {
    const answer = await this.call(this.change('refund.cancel', cuit, refundId), refundEnvelopeSchema);
    this.checkRefundEnums(answer);
    return answer;
  }

  // -------------------------------------------------------------------------------------------
  // Settlements (cierre de lote), one call per terminal
  // -------------------------------------------------------------------------------------------

  async createSettlement(cuit: string, terminalId: string, printReceipt: boolean): Promise<SettlementEnvelope> {
    const operation = 'settlement.create';
    this.requireCuit(operation, cuit);
    this.requireId(operation, 'terminal_id', terminalId);
    const answer = await this.call(
      {
        operation,
        method: 'POST',
        query: { ...this.commonQuery(cuit), terminal_id: terminalId, print_receipt: printReceipt ? 'true' : 'false' },
      },
      settlementEnvelopeSchema,
    );
    this.checkSettlementEnums(answer);
    return answer;
  }

  async getSettlement(cuit: string, settlementId: string): Promise<SettlementEnvelope> {
    const answer = await this.call(this.read('settlement.get', cuit, settlementId), settlementEnvelopeSchema);
    this.checkSettlementEnums(answer);
    return answer;
  }

  async listSettlements(cuit: string, filter: SettlementListFilter = {}): Promise<SettlementListResult> {
    const operation = 'settlement.list';
    this.requireCuit(operation, cuit);
    const answer = await this.call(
      { operation, method: 'GET', query: { ...this.commonQuery(cuit), terminal_id: filter.terminalId, ...pageQuery(filter) } },
      settlementListResponseSchema,
    );
    for (const settlement of answer.settlements) this.checkSettlementEnums(settlement);
    return {
      settlements: answer.settlements,
      page: answer.page ?? filter.page ?? 1,
      pageSize: answer.page_size ?? filter.pageSize ?? answer.settlements.length,
      total: answer.total ?? answer.settlements.length,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Health and lifecycle
  // -------------------------------------------------------------------------------------------

  /** True when the provider answers its (authenticated) liveness probe with UP. Never throws. */
  async checkLiveness(): Promise<boolean> {
    try {
      const answer = await this.call({ operation: 'liveness', method: 'GET' }, livenessResponseSchema);
      const status = answer.status?.toUpperCase();
      return status === undefined || status === 'UP' || status === 'OK';
    } catch {
      return false;
    }
  }

  breakerStates(): Record<PaystoreOperation, BreakerState> {
    return this.breakers.states();
  }

  /** Stops the breakers' timers. Later calls fail with PAYSTORE.CIRCUIT_OPEN (not sent). */
  shutdown(): void {
    this.breakers.shutdown();
  }

  // -------------------------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------------------------

  private commonQuery(cuit: string): Query {
    return { cuit_cuil: cuit, subnet_acquirer_id: this.subnetAcquirerId };
  }

  private read(operation: PaystoreOperation, cuit: string, id: string): RequestSpec {
    this.requireCuit(operation, cuit);
    this.requireId(operation, 'id', id);
    return { operation, method: 'GET', id, query: this.commonQuery(cuit) };
  }

  private change(operation: PaystoreOperation, cuit: string, id: string): RequestSpec {
    this.requireCuit(operation, cuit);
    this.requireId(operation, 'id', id);
    return { operation, method: 'PUT', id, query: this.commonQuery(cuit) };
  }

  /** Reads every page of a lookup by reference and keeps the entries that are (or may be) its own. */
  private async collect<R extends { total: number }, E>(
    fetchPage: (page: number) => Promise<R>,
    entries: (result: R) => E[],
    referenceOf: (entry: E) => string | null | undefined,
    reference: string,
  ): Promise<E[]> {
    const found: E[] = [];
    let seen = 0;
    for (let page = 1; page <= MAX_LOOKUP_PAGES; page++) {
      const result = await fetchPage(page);
      const items = entries(result);
      for (const item of items) {
        const echoed = referenceOf(item);
        if (echoed === undefined || echoed === null || echoed === reference) found.push(item);
      }
      seen += items.length;
      if (items.length === 0 || seen >= result.total) break;
    }
    return found;
  }

  /** Sends one API request with a token; replays it once with a new token after a 401. */
  private async call<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.infer<S>> {
    return withTokenReplay(
      { get: () => this.tokenFor(spec.operation), invalidate: (token) => this.tokens.invalidate(token) },
      (err) => err instanceof PaystoreError && err.code === PaystoreErrorCode.Unauthorized && err.httpStatus === 401,
      (token) => this.observed(spec.operation, (seen) => this.send(spec, schema, token, seen)),
    );
  }

  /** One call through the operation's breaker, reported to `onCall` with its duration and outcome. */
  private async observed<T>(operation: PaystoreOperation, send: (seen: SeenAnswer) => Promise<T>): Promise<T> {
    const seen: SeenAnswer = {};
    const onCall = this.onCall;
    return observeCall(
      () => this.breakers.run(operation, () => send(seen)),
      onCall &&
        ((durationMs, result) => {
          const err = result.ok ? undefined : result.error;
          const known = err instanceof PaystoreError;
          // Anything but a PaystoreError is unexpected from send(); it reads as an unreadable answer.
          const event: PaystoreCallEvent = {
            operation,
            durationMs,
            outcome: result.ok ? 'ok' : known ? err.code : PaystoreErrorCode.Protocol,
            httpStatus: (known ? err.httpStatus : undefined) ?? seen.status,
          };
          if (event.httpStatus === undefined) delete event.httpStatus;
          onCall(event);
        }),
    );
  }

  private async tokenFor(operation: PaystoreOperation): Promise<string> {
    try {
      return await this.tokens.get();
    } catch (err) {
      if (err instanceof PaystoreError) throw tokenFailureError(operation, err);
      throw err;
    }
  }

  private async fetchToken(): Promise<{ accessToken: string; expiresInSeconds: number }> {
    const spec: RequestSpec = { operation: 'token', method: 'GET' };
    if (this.tokenRequestStyle === 'get-query') spec.query = { grant_type: 'client_credentials' };
    else if (this.tokenRequestStyle === 'post-json') Object.assign(spec, { method: 'POST', json: { grant_type: 'client_credentials' } });
    else Object.assign(spec, { method: 'POST', form: new URLSearchParams({ grant_type: 'client_credentials' }) });
    const answer = await this.observed('token', (seen) => this.send(spec, tokenResponseSchema, undefined, seen));
    const seconds = answer.expires_in !== null && answer.expires_in !== undefined ? Number(answer.expires_in) : NaN;
    this.secrets.push(answer.access_token);
    // Remember only the last few tokens for redaction; older ones are long expired.
    if (this.secrets.length > 6) this.secrets.splice(2, 1);
    return {
      accessToken: answer.access_token,
      expiresInSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : FALLBACK_TOKEN_TTL_SECONDS,
    };
  }

  /** One HTTP exchange, then the answer read through `schema`. */
  private async send<S extends z.ZodType>(
    spec: RequestSpec,
    schema: S,
    token: string | undefined,
    seen: SeenAnswer = {},
  ): Promise<z.infer<S>> {
    const raw = await this.exchange(spec, token);
    seen.status = raw.status;
    if (raw.status < 200 || raw.status >= 300) {
      throw errorFromResponse(spec.operation, raw.status, parseJsonOrUndefined(raw.text), (t) => this.redact(t));
    }
    const json = parseJsonOrUndefined(raw.text);
    if (json === undefined) throw protocolError(spec.operation, raw.status, raw.text.length === 0 ? 'empty body' : 'not JSON');
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
      throw protocolError(spec.operation, raw.status, where);
    }
    return parsed.data;
  }

  private async exchange(spec: RequestSpec, token: string | undefined): Promise<RawAnswer> {
    const timeoutMs = isCreate(spec.operation) ? this.createTimeoutMs : this.timeoutMs;
    const headers: Record<string, string> = { accept: 'application/json' };
    headers['authorization'] =
      token === undefined ? `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`, 'utf8').toString('base64')}` : `Bearer ${token}`;
    let body: string | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = spec.form.toString();
    }

    return timedExchange(this.fetchImpl, { url: this.url(spec), method: spec.method, headers, body, timeoutMs }, (failure) =>
      this.exchangeError(spec.operation, failure),
    );
  }

  private exchangeError(operation: PaystoreOperation, failure: ExchangeFailure): PaystoreError {
    const error = errorFromFetchFailure(operation, failure.error, failure.timedOutAfterMs);
    if (failure.stage === 'request' || error.outcome === 'unknown') return error;
    // The answer started but was lost: whatever it said, the request had been received.
    return new PaystoreError({ code: error.code, outcome: 'unknown', operation, message: error.message, cause: failure.error });
  }

  private url(spec: RequestSpec): string {
    return operationUrl(this.baseUrl, this.paths[spec.operation], spec.id, spec.query);
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  // Validation of what the caller gives: a bad input is refused before anything is sent.

  private invalid(operation: PaystoreOperation, message: string): PaystoreError {
    return new PaystoreError({ code: PaystoreErrorCode.BadRequest, outcome: 'not_sent', operation, message });
  }

  private requireCuit(operation: PaystoreOperation, cuit: string): void {
    if (typeof cuit !== 'string' || cuit.trim().length === 0) throw this.invalid(operation, 'cuit_cuil is required');
  }

  private requireId(operation: PaystoreOperation, name: string, id: string): void {
    if (typeof id !== 'string' || id.trim().length === 0) throw this.invalid(operation, `${name} is required`);
  }

  private requireReference(operation: PaystoreOperation, reference: string): void {
    if (typeof reference !== 'string' || reference.trim().length === 0) {
      throw this.invalid(operation, 'ecr_transaction_id is required: it is how an uncertain create is found again');
    }
  }

  private requireAmount(operation: PaystoreOperation, field: string, amount: string, zeroAllowed: boolean): void {
    let cents: number;
    try {
      cents = toMinorUnits(amount);
    } catch (err) {
      throw this.invalid(operation, `${field}: ${(err as Error).message}`);
    }
    if (!zeroAllowed && cents === 0) throw this.invalid(operation, `${field} must be greater than zero`);
  }

  private requireTerminals(operation: PaystoreOperation, terminals: TerminalRef[]): TerminalRef[] {
    if (!Array.isArray(terminals) || terminals.length === 0) throw this.invalid(operation, 'terminals_list needs at least one terminal');
    for (const t of terminals) {
      if (!t || typeof t.terminal_id !== 'string' || t.terminal_id.trim().length === 0) {
        throw this.invalid(operation, 'every terminals_list entry needs a terminal_id');
      }
    }
    return terminals.map((t) => ({ terminal_id: t.terminal_id }));
  }

  // Unknown enum values are tolerated and reported, never thrown.

  private checkEnum(field: string, value: string | null | undefined, known: readonly string[]): void {
    if (typeof value === 'string' && !known.includes(value)) this.reportUnknownEnum(field, value);
  }

  private checkPaymentEnums(envelope: PaymentEnvelope): void {
    const data = envelope.payment_data;
    classifyPaymentStatus(data.payment_status, this.reportUnknownEnum);
    this.checkEnum('payment_type', data.payment_type, PAYMENT_TYPES);
    this.checkEnum('card_type', data.card_type, CARD_TYPES);
    this.checkEnum('acquirer_id', data.acquirer_id, ACQUIRER_IDS);
  }

  private checkReversalEnums(envelope: ReversalEnvelope): void {
    classifyReversalStatus(envelope.reversal_data.reversal_status, this.reportUnknownEnum);
  }

  private checkRefundEnums(envelope: RefundEnvelope): void {
    classifyRefundStatus(envelope.refund_data.refund_status, this.reportUnknownEnum);
    this.checkEnum('acquirer_id', envelope.refund_data.acquirer_id, ACQUIRER_IDS);
  }

  private checkSettlementEnums(envelope: SettlementEnvelope): void {
    classifySettlementStatus(envelope.settlements_data.settlement_status, this.reportUnknownEnum);
  }
}
