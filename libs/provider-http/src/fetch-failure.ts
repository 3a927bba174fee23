// What a `fetch` that got no HTTP answer says of the request: it timed out (it may have been
// applied), the connection was never made (nothing was sent), or the connection was lost (it may
// have been sent). Each provider client turns this into its own error and outcome.

/** Errors raised before any byte left: the connection was never made. */
export const CONNECT_FAILURE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

export interface FetchFailureRules {
  /** Network codes that mean nothing was sent. Default `CONNECT_FAILURE_CODES`. */
  notSentCodes?: ReadonlySet<string>;
  /** Look into an AggregateError's `errors` (happy-eyeballs: one error per address tried). */
  readAggregateErrors?: boolean;
}

export type FetchFailure =
  | { kind: 'timeout'; afterMs: number }
  /** `code` is the first network code along the cause chain, when there is one. */
  | { kind: 'not_connected'; code: string }
  | { kind: 'connection_lost'; code: string | undefined };

/** The first `code` along an error's cause chain (undici wraps the socket error in `cause`). */
export function networkErrorCode(err: unknown, rules: FetchFailureRules = {}): string | undefined {
  const notSentCodes = rules.notSentCodes ?? CONNECT_FAILURE_CODES;
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    if (rules.readAggregateErrors) {
      const errors = (current as { errors?: unknown }).errors;
      // AggregateError from happy-eyeballs: every address refused.
      if (Array.isArray(errors) && errors.length > 0) {
        const codes = errors.map((e) => networkErrorCode(e, rules));
        if (codes.every((c) => c !== undefined && notSentCodes.has(c))) return codes[0];
        return codes.find((c) => c !== undefined);
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Reads a failed `fetch`; `timedOutAfterMs` is set when the caller's own timeout aborted it. */
export function classifyFetchFailure(err: unknown, timedOutAfterMs: number | undefined, rules: FetchFailureRules = {}): FetchFailure {
  if (timedOutAfterMs !== undefined) return { kind: 'timeout', afterMs: timedOutAfterMs };
  const code = networkErrorCode(err, rules);
  if (code !== undefined && (rules.notSentCodes ?? CONNECT_FAILURE_CODES).has(code)) return { kind: 'not_connected', code };
  return { kind: 'connection_lost', code };
}

/** The one-line message for a failed `fetch`: `<provider> <operation> got no answer within 300 ms`… */
export function describeFetchFailure(provider: string, operation: string, failure: FetchFailure): string {
  if (failure.kind === 'timeout') return `${provider} ${operation} got no answer within ${failure.afterMs} ms`;
  const notSent = failure.kind === 'not_connected';
  return `${provider} ${operation} failed on the network (${failure.code ?? 'connection lost'})${notSent ? ' before the request was sent' : ''}`;
}
