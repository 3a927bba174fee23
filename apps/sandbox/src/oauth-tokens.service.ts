// OAuth client-credentials for the provider routes: one accepted client id/secret pair, opaque
// bearer tokens that expire after the configured TTL.
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ProviderError } from './provider-error';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';

export interface TokenAnswer {
  token_type: 'Bearer';
  access_token: string;
  expires_in: string;
  scope: string;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// Expired tokens are swept on issue once the map grows, so a client that fetches a token per
// call cannot grow memory without bound.
const SWEEP_ABOVE = 1_000;

@Injectable()
export class OAuthTokensService {
  private readonly expiries = new Map<string, number>();

  constructor(@Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions) {}

  /** Checks `Authorization: Basic base64(client_id:client_secret)`; 401 invalid_client otherwise. */
  authenticateClient(authorization: unknown): void {
    const match = typeof authorization === 'string' ? /^Basic\s+(\S+)\s*$/i.exec(authorization) : null;
    const decoded = match === null ? '' : Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const ok =
      colon > 0 &&
      sameText(decoded.slice(0, colon), this.options.clientId) &&
      sameText(decoded.slice(colon + 1), this.options.clientSecret);
    if (!ok) throw new ProviderError(401, 'invalid_client', 'client authentication failed', 'CREDENCIALES INVALIDAS');
  }

  issue(now: number): TokenAnswer {
    if (this.expiries.size > SWEEP_ABOVE) {
      for (const [token, expiresAt] of this.expiries) if (expiresAt <= now) this.expiries.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    this.expiries.set(token, now + this.options.tokenTtlSeconds * 1000);
    return {
      token_type: 'Bearer',
      access_token: token,
      expires_in: String(this.options.tokenTtlSeconds),
      scope: 'paystore_terminals',
    };
  }

  /** Checks `Authorization: Bearer <token>`; 401 invalid_token when missing, unknown or expired. */
  verifyBearer(authorization: unknown, now: number): void {
    const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    const expiresAt = match === null ? undefined : this.expiries.get(match[1]);
    if (expiresAt === undefined || expiresAt <= now) {
      throw new ProviderError(
        401,
        'invalid_token',
        expiresAt === undefined ? 'access token missing or unknown' : 'access token expired',
        'TOKEN INVALIDO',
      );
    }
  }

  clear(): void {
    this.expiries.clear();
  }
}
