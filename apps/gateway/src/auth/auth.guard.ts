// Authorization for every route, from its spec: `admin` routes take the configured admin key,
// `merchant` routes an active merchant key (looked up by hash on every request, so a revoked key
// stops working at once), `none` routes anyone. A valid key of the wrong kind is a 403; a missing
// or unknown one a 401. Without ADMIN_API_KEY no admin call is possible.
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import type { FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { routeSpecOf } from '../http/route.definition';
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
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const spec = routeSpecOf(ctx.getHandler());
    if (!spec) throw new Error(`${ctx.getClass().name}.${ctx.getHandler().name} has no route spec`);
    if (spec.auth === 'none') return true;
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerOf(request);
    if (!token) throw unauthorized();
    const isAdmin = this.isAdminKey(token);
    if (spec.auth === 'admin') {
      if (isAdmin) {
        request.principal = { kind: 'admin' };
        return true;
      }
      if (await this.merchantOf(token)) throw forbidden('Merchant keys cannot use admin routes.');
      throw unauthorized();
    }
    if (isAdmin) throw forbidden('The admin key cannot act for a merchant; use that merchant\'s key.');
    const principal = await this.merchantOf(token);
    if (!principal) throw unauthorized();
    request.principal = principal;
    return true;
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
