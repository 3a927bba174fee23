// Who sent a bus command: the API key it carries, checked as the HTTP auth guard checks a bearer
// key on a merchant route. Looked up by its hash on every command, so a revoked key stops working
// at once; the admin key is a 403 (it cannot act for a merchant); anything else a 401.
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import { DataSource } from 'typeorm';
import { hashApiKey, secretsEqual } from '../auth/api-key.codec';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';

/** Longer values are no key of ours; refused without a look-up, as over HTTP. */
const MAX_KEY_LENGTH = 200;

@Injectable()
export class CommandAuthenticator {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** The merchant the key belongs to; AppError 401 AUTH.UNAUTHORIZED or 403 AUTH.FORBIDDEN otherwise. */
  async merchantOf(apiKey: unknown): Promise<string> {
    if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > MAX_KEY_LENGTH) throw unauthorized();
    const adminKey = this.config.ADMIN_API_KEY;
    if (adminKey !== undefined && secretsEqual(apiKey, adminKey)) {
      throw new AppError(ErrorCode.Forbidden, 403, "The admin key cannot act for a merchant; use that merchant's key.");
    }
    const rows = (await this.dataSource.query('SELECT merchant_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [
      hashApiKey(apiKey),
    ])) as { merchant_id: string }[];
    if (rows.length === 0) throw unauthorized();
    return rows[0].merchant_id;
  }
}

function unauthorized(): AppError {
  return new AppError(ErrorCode.Unauthorized, 401, 'A valid API key is required (apiKey: the merchant key, as in Authorization: Bearer).');
}
