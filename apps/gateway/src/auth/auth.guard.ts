// Authorization for every route, from its spec: `admin` routes take the configured admin key,
// `merchant` routes an active merchant key (looked up by hash on every request, so a revoked key
// stops working at once), `none` routes anyone. A valid key of the wrong kind is a 403; a missing
// or unknown one a 401. Without ADMIN_API_KEY no admin call is possible.
//
// Rate limits (security/rate-limiter.service.ts) are applied here too, around the key check: a
// client address with too many failed authentications in the last minute is refused (429) before
// its key is looked up, each 401 counts against its address, and an authenticated request counts
// against its key (the admin key has a budget of its own). Routes without auth are never limited.
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { routeSpecOf } from '../http/route.definition';
import { rateLimited, setRateLimitHeaders } from '../security/rate-limit.answer';
import { RateLimiter, RateLimitScope } from '../security/rate-limiter.service';
import { hashApiKey, secretsEqual } from './api-key.codec';
import type { Principal } from './principal';

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer[ ]+([\x21-\x7e]+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

const unauthorized = () => new AppError(ErrorCode.Unauthorized, 401, 'A valid API key is required (Authorization: Bearer <key>).');
const forbidden = (detail: string) => new AppError(ErrorCode.Forbidden, 403, detail);

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const spec = routeSpecOf(ctx.getHandler());
    if (!spec) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} has no route spec`);
    if (spec.auth === 'none') return true;
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const failures = await this.limiter.peek('auth-failures', request.ip);
    if (failures && !failures.allowed) {
      setRateLimitHeaders(reply, failures);
      throw rateLimited(failures, 'failed authentications from this address');
    }
    try {
      request.principal = await this.authenticate(spec.auth, request);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) await this.limiter.add('auth-failures', request.ip);
      throw err;
    }
    const [scope, subject]: [RateLimitScope, string] =
      request.principal.kind === 'admin' ? ['admin', 'admin'] : ['key', request.principal.keyId];
    const decision = await this.limiter.consume(scope, subject);
    if (decision) {
      setRateLimitHeaders(reply, decision);
      if (!decision.allowed) throw rateLimited(decision, scope === 'admin' ? 'requests with the admin key' : 'requests with this API key');
    }
    return true;
  }

  private async authenticate(auth: 'admin' | 'merchant', request: FastifyRequest): Promise<Principal> {
    const token = bearerOf(request);
    if (!token) throw unauthorized();
    const isAdmin = this.isAdminKey(token);
    if (auth === 'admin') {
      if (isAdmin) return { kind: 'admin' };
      if (await this.merchantOf(token)) throw forbidden('Merchant keys cannot use admin routes.');
      throw unauthorized();
    }
    if (isAdmin) throw forbidden('The admin key cannot act for a merchant; use that merchant\'s key.');
    const principal = await this.merchantOf(token);
    if (!principal) throw unauthorized();
    return principal;
  }

  private isAdminKey(token: string): boolean {
    const adminKey = this.config.ADMIN_API_KEY;
    return adminKey !== undefined && secretsEqual(token, adminKey);
  }

  private async merchantOf(token: string): Promise<Principal | null> {
    if (token.length > 200) return null;
    const rows = (await this.dataSource.query(
      'SELECT id, merchant_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hashApiKey(token)],
    )) as { id: string; merchant_id: string }[];
    return rows.length ? { kind: 'merchant', merchantId: rows[0].merchant_id, keyId: rows[0].id } : null;
  }
}
