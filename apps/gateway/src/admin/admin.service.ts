// Merchants, their API keys and their terminals.
import { Inject, Injectable } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { ErrorCode, Provider } from '@app/contracts';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { z } from 'zod';
import { apiKeyHint, generateApiKey, hashApiKey } from '../auth/api-key.codec';
import { cursorTimestampSql, encodeCursor } from '../http/cursor.codec';
import { validationFailed } from '../http/problem';
import { TERMINAL_ID_FORMAT, TerminalRow, TerminalView, toTerminalView } from '../terminals/terminal.schema';
import type {
  apiKeyIssuedSchema,
  merchantCreatedSchema,
  merchantDetailSchema,
  merchantListQuerySchema,
  merchantListSchema,
} from './admin.schemas';

interface MerchantRow {
  id: string;
  name: string;
  cuit: string;
  created_at: Date;
  cursor_ts?: string;
}

function merchantView(row: MerchantRow) {
  return { id: row.id, name: row.name, cuit: row.cuit, createdAt: row.created_at.toISOString() };
}

function cuitTaken(cuit: string): AppError {
  return new AppError(ErrorCode.MerchantCuitTaken, 409, `A merchant with CUIT ${cuit} already exists.`, [
    { field: 'cuit', message: 'already registered' },
  ]);
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505';
}

@Injectable()
export class AdminService {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async createMerchant(name: string, cuit: string): Promise<z.output<typeof merchantCreatedSchema>> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        // Checked first so the usual duplicate is not a failed query; the unique index still
        // decides a race between two creations.
        const taken = (await manager.query('SELECT 1 FROM merchants WHERE cuit = $1', [cuit])) as unknown[];
        if (taken.length > 0) throw cuitTaken(cuit);
        const [row] = (await manager.query(
          'INSERT INTO merchants (id, name, cuit) VALUES ($1, $2, $3) RETURNING id, name, cuit, created_at',
          [newId('mer'), name, cuit],
        )) as MerchantRow[];
        const key = await this.insertKey(manager, row.id);
        return { ...merchantView(row), apiKey: key.apiKey, apiKeyId: key.id };
      });
    } catch (err) {
      throw isUniqueViolation(err) ? cuitTaken(cuit) : err;
    }
  }

  async listMerchants(query: z.output<typeof merchantListQuerySchema>): Promise<z.output<typeof merchantListSchema>> {
    const params: unknown[] = [query.limit + 1];
    let where = '';
    if (query.cursor) {
      params.push(query.cursor.createdAt, query.cursor.id);
      where = 'WHERE (created_at, id) < ($2::timestamptz, $3)';
    }
    const rows = (await this.dataSource.query(
      `SELECT id, name, cuit, created_at, ${cursorTimestampSql('created_at')} AS cursor_ts
         FROM merchants ${where} ORDER BY created_at DESC, id DESC LIMIT $1`,
      params,
    )) as MerchantRow[];
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(merchantView),
      nextCursor: rows.length > query.limit && last?.cursor_ts ? encodeCursor([last.cursor_ts, last.id]) : null,
    };
  }

  async getMerchant(id: string): Promise<z.output<typeof merchantDetailSchema>> {
    const merchant = await this.merchantRow(this.dataSource.manager, id);
    const terminals = (await this.dataSource.query(
      'SELECT * FROM terminals WHERE merchant_id = $1 ORDER BY terminal_id, provider',
      [id],
    )) as TerminalRow[];
    const keys = (await this.dataSource.query(
      'SELECT id, hint, created_at, revoked_at FROM api_keys WHERE merchant_id = $1 ORDER BY created_at, id',
      [id],
    )) as { id: string; hint: string; created_at: Date; revoked_at: Date | null }[];
    return {
      ...merchantView(merchant),
      terminals: terminals.map(toTerminalView),
      apiKeys: keys.map((k) => ({
        id: k.id,
        hint: k.hint,
        createdAt: k.created_at.toISOString(),
        revokedAt: k.revoked_at ? k.revoked_at.toISOString() : null,
      })),
    };
  }

  async issueApiKey(merchantId: string): Promise<z.output<typeof apiKeyIssuedSchema>> {
    return this.dataSource.transaction(async (manager) => {
      await this.merchantRow(manager, merchantId);
      return this.insertKey(manager, merchantId);
    });
  }

  async revokeApiKey(merchantId: string, keyId: string): Promise<void> {
    await this.merchantRow(this.dataSource.manager, merchantId);
    const rows = (await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
        WHERE id = $1 AND merchant_id = $2 RETURNING id`,
      [keyId, merchantId],
    )) as unknown[];
    if (rowsOf(rows) === 0) throw new AppError(ErrorCode.ApiKeyNotFound, 404, `Merchant ${merchantId} has no API key ${keyId}.`);
  }

  /** Registers (201) or re-labels (200) a terminal; one registered elsewhere is a 409. */
  async putTerminal(
    merchantId: string,
    terminalId: string,
    provider: Provider,
    label: string | undefined,
    deviceId?: string,
  ): Promise<{ created: boolean; terminal: TerminalView }> {
    const format = TERMINAL_ID_FORMAT[provider];
    if (!format.pattern.test(terminalId)) throw validationFailed([{ field: 'terminalId', message: format.message }]);
    if (provider === 'klio' && !deviceId) throw validationFailed([{ field: 'deviceId', message: 'a Klio terminal names its device' }]);
    if (provider !== 'klio' && deviceId) throw validationFailed([{ field: 'deviceId', message: `${provider} terminals have no device id` }]);
    await this.merchantRow(this.dataSource.manager, merchantId);
    const rows = (await this.dataSource
      .query(
      `INSERT INTO terminals (provider, terminal_id, merchant_id, label, device_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (provider, terminal_id) DO UPDATE SET label = EXCLUDED.label, device_id = EXCLUDED.device_id, updated_at = now()
         WHERE terminals.merchant_id = EXCLUDED.merchant_id
       RETURNING *, (xmax = 0) AS inserted`,
      [provider, terminalId, merchantId, label ?? null, deviceId ?? null],
    )
      .catch((err: unknown) => {
      // One Klio device is one terminal: registering it under a second terminal id is a conflict.
      if ((err as { constraint?: string }).constraint === 'terminals_klio_device_idx') {
        throw new AppError(ErrorCode.TerminalOwnedElsewhere, 409, `Klio device ${deviceId} is already registered as another terminal.`, [
          { field: 'deviceId', message: 'registered as another terminal' },
        ]);
      }
      throw err;
    })) as (TerminalRow & { inserted: boolean })[];
    if (rows.length === 0) {
      throw new AppError(ErrorCode.TerminalOwnedElsewhere, 409, `Terminal ${terminalId} is registered to another merchant.`, [
        { field: 'terminalId', message: 'registered to another merchant' },
      ]);
    }
    return { created: rows[0].inserted, terminal: toTerminalView(rows[0]) };
  }

  private async merchantRow(manager: EntityManager, id: string): Promise<MerchantRow> {
    const [row] = (await manager.query('SELECT id, name, cuit, created_at FROM merchants WHERE id = $1', [id])) as MerchantRow[];
    if (!row) throw new AppError(ErrorCode.MerchantNotFound, 404, `No merchant ${id}.`);
    return row;
  }

  private async insertKey(manager: EntityManager, merchantId: string): Promise<z.output<typeof apiKeyIssuedSchema>> {
    const apiKey = generateApiKey();
    const [row] = (await manager.query(
      'INSERT INTO api_keys (id, merchant_id, key_hash, hint) VALUES ($1, $2, $3, $4) RETURNING id, hint, created_at',
      [newId('key'), merchantId, hashApiKey(apiKey), apiKeyHint(apiKey)],
    )) as { id: string; hint: string; created_at: Date }[];
    return { id: row.id, apiKey, hint: row.hint, createdAt: row.created_at.toISOString() };
  }
}

/** TypeORM's postgres driver answers UPDATE … RETURNING as [rows, count]. */
function rowsOf(result: unknown[]): number {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return result.length;
}
