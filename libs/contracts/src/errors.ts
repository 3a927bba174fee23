// Stable, dotted error codes. Clients program against these strings: never change a value.
export const ErrorCode = Object.freeze({
  ValidationFailed: 'REQUEST.VALIDATION_FAILED',
  MalformedBody: 'REQUEST.MALFORMED_BODY',
  BodyTooLarge: 'REQUEST.BODY_TOO_LARGE',
  UnsupportedMediaType: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  RouteNotFound: 'REQUEST.ROUTE_NOT_FOUND',
  MethodNotAllowed: 'REQUEST.METHOD_NOT_ALLOWED',
  RateLimited: 'REQUEST.RATE_LIMITED',
  Unauthorized: 'AUTH.UNAUTHORIZED',
  Forbidden: 'AUTH.FORBIDDEN',
  IdempotencyKeyMissing: 'IDEMPOTENCY.KEY_MISSING',
  IdempotencyKeyInvalid: 'IDEMPOTENCY.KEY_INVALID',
  IdempotencyKeyReused: 'IDEMPOTENCY.KEY_REUSED',
  MerchantNotFound: 'MERCHANT.NOT_FOUND',
  MerchantCuitTaken: 'MERCHANT.CUIT_TAKEN',
  ApiKeyNotFound: 'API_KEY.NOT_FOUND',
  TerminalNotFound: 'TERMINAL.NOT_FOUND',
  TerminalOwnedElsewhere: 'TERMINAL.OWNED_BY_ANOTHER_MERCHANT',
  TerminalProvidersDiffer: 'TERMINAL.PROVIDERS_DIFFER',
  PaymentNotFound: 'PAYMENT.NOT_FOUND',
  PaymentNotCancellable: 'PAYMENT.NOT_CANCELLABLE',
  PaymentNotConfirmable: 'PAYMENT.NOT_CONFIRMABLE',
  PaymentNotApproved: 'PAYMENT.NOT_APPROVED',
  PaymentAlreadyReversed: 'PAYMENT.ALREADY_REVERSED',
  ReversalNotFound: 'REVERSAL.NOT_FOUND',
  ReversalNotCancellable: 'REVERSAL.NOT_CANCELLABLE',
  RefundNotFound: 'REFUND.NOT_FOUND',
  RefundNotCancellable: 'REFUND.NOT_CANCELLABLE',
  RefundBrandNotAllowed: 'REFUND.BRAND_NOT_ALLOWED',
  ReversalDeclined: 'REVERSAL.DECLINED',
  RefundDeclined: 'REFUND.DECLINED',
  SettlementDeclined: 'SETTLEMENT.DECLINED',
  SettlementNotFound: 'SETTLEMENT.NOT_FOUND',
  SettlementInFlight: 'SETTLEMENT.ALREADY_IN_FLIGHT',
  WebhookNotFound: 'WEBHOOK.NOT_FOUND',
  WebhookDisabled: 'WEBHOOK.DISABLED',
  ProviderCapability: 'PROVIDER.OPERATION_NOT_SUPPORTED',
  ReversalAmountExceeded: 'REVERSAL.AMOUNT_EXCEEDS_REMAINING',
  ReversalTooLate: 'REVERSAL.TOO_LATE',
  PaymentAmountMismatch: 'PAYMENT.AMOUNT_MISMATCH',
  PaymentBatchNotFound: 'PAYMENT_BATCH.NOT_FOUND',
  ProviderUnavailable: 'PAYSTORE.UNAVAILABLE',
  ProviderOutcomeUnknown: 'PROVIDER.OUTCOME_UNKNOWN',
  ProviderRejected: 'PROVIDER.REJECTED',
  ProviderError: 'PROVIDER.ERROR',
  TerminalError: 'TERMINAL.ERROR',
  Declined: 'PAYMENT.DECLINED',
  Internal: 'INTERNAL.ERROR',
  ServiceUnavailable: 'SERVICE.UNAVAILABLE',
} as const);
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, with this product's stable `code` and per-field `errors`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors: FieldError[];
  instance?: string;
}
