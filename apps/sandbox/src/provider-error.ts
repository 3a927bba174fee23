// The provider's error envelope. Every failure the sandbox answers, on the provider routes and
// on its own control routes, has this one shape so clients parse a single format.

export type ProviderErrorCode =
  | 'invalid_client'
  | 'invalid_token'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'INVALID_STATE'
  | 'TERMINAL_NOT_FOUND'
  | 'BRAND_NOT_ALLOWED'
  | 'ALREADY_REVERSED'
  | 'PAYLOAD_TOO_LARGE'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

export interface ErrorItem {
  status: string;
  code: string;
  title: string;
  acquirer_message: string;
}

export interface ErrorEnvelope {
  errors: ErrorItem[];
}

export class ProviderError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProviderErrorCode,
    readonly title: string,
    readonly acquirerMessage: string = title,
  ) {
    super(`${status} ${code}: ${title}`);
    this.name = 'ProviderError';
  }

  toEnvelope(): ErrorEnvelope {
    return errorEnvelope(this.status, this.code, this.title, this.acquirerMessage);
  }
}

export function errorEnvelope(status: number, code: string, title: string, acquirerMessage = title): ErrorEnvelope {
  return { errors: [{ status: String(status), code, title, acquirer_message: acquirerMessage }] };
}

/** The code the provider uses for a bare HTTP status, when nothing more specific applies. */
export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 401) return 'invalid_token';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'INVALID_STATE';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'BAD_REQUEST';
}

export const badRequest = (title: string): ProviderError => new ProviderError(400, 'BAD_REQUEST', title);
export const notFound = (title: string): ProviderError => new ProviderError(404, 'NOT_FOUND', title);
export const invalidState = (title: string): ProviderError => new ProviderError(409, 'INVALID_STATE', title);
