// Syncs Klio's device list into the terminal registry for one merchant: new devices become Klio
// terminals, known ones get their label refreshed, another merchant's are reported, never moved.
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppError } from '@app/common';
import { ErrorCode } from '@app/contracts';
import { KlioClient, KlioDevice } from '@app/klio-client';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../gateway.config';
import { TerminalRow, toTerminalView } from '../terminals/terminal.schema';
import { KlioDeviceSyncResult } from './klio-devices.routes';

/** The slice of the Klio client the sync needs. */
export type KlioDeviceList = Pick<KlioClient, 'listDevices' | 'shutdown'>;

export const KLIO_DEVICE_LIST = Symbol('KLIO_DEVICE_LIST');

export function klioDeviceListFor(config: GatewayConfig): KlioDeviceList {
  return new KlioClient({
    baseUrl: config.KLIO_BASE_URL,
    clientId: config.KLIO_CLIENT_ID,
    clientSecret: config.KLIO_CLIENT_SECRET,
    timeoutMs: config.KLIO_TIMEOUT_MS,
  });
}

/** The terminal id a device is registered under: its Klio terminal id, else its device id. */
export function terminalIdOf(device: KlioDevice): string {
  const id = device.terminalId?.trim();
  return id && /^[A-Za-z0-9_.:-]{1,64}$/.test(id) ? id : device.deviceId;
}

@Injectable()
export class KlioDevicesService implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(KLIO_DEVICE_LIST) private readonly klio: KlioDeviceList,
  ) {}

  async sync(merchantId: string, only?: readonly string[]): Promise<KlioDeviceSyncResult> {
    const [merchant] = (await this.dataSource.query('SELECT id FROM merchants WHERE id = $1', [merchantId])) as { id: string }[];
    if (!merchant) throw new AppError(ErrorCode.MerchantNotFound, 404, `No merchant ${merchantId}.`);
    let devices: KlioDevice[];
    try {
      devices = await this.klio.listDevices();
    } catch (err) {
      throw new AppError(ErrorCode.ProviderError, 502, `Klio's device list could not be read: ${(err as Error).message}`);
    }
    const listed = new Map(devices.map((d) => [d.deviceId, d]));
    const wanted = only ? only.filter((id) => listed.has(id)).map((id) => listed.get(id) as KlioDevice) : devices;
    const result: KlioDeviceSyncResult = { registered: [], updated: [], conflicts: [], missing: [] };

    for (const device of wanted) {
      const rows = (await this.dataSource.query(
        `INSERT INTO terminals (provider, terminal_id, merchant_id, label, device_id) VALUES ('klio', $1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING *`,
        [terminalIdOf(device), merchantId, device.deviceName?.slice(0, 100) || null, device.deviceId],
      )) as TerminalRow[];
      if (rows[0]) {
        result.registered.push(toTerminalView(rows[0]));
        continue;
      }
      const [owner] = (await this.dataSource.query(
        `SELECT * FROM terminals WHERE provider = 'klio' AND (device_id = $1 OR terminal_id = $2) ORDER BY (device_id = $1) DESC LIMIT 1`,
        [device.deviceId, terminalIdOf(device)],
      )) as TerminalRow[];
      if (owner && owner.merchant_id === merchantId && owner.device_id === device.deviceId) {
        // An UPDATE answers [rows, count].
        const [[updated]] = (await this.dataSource.query(
          `UPDATE terminals SET label = COALESCE($3, label), updated_at = now() WHERE provider = 'klio' AND terminal_id = $1 AND merchant_id = $2 RETURNING *`,
          [owner.terminal_id, merchantId, device.deviceName?.slice(0, 100) || null],
        )) as [TerminalRow[], number];
        result.updated.push(toTerminalView(updated));
      } else if (owner) {
        result.conflicts.push({ deviceId: device.deviceId, terminalId: owner.terminal_id, merchantId: owner.merchant_id });
      }
    }

    const registered = (await this.dataSource.query(`SELECT device_id FROM terminals WHERE provider = 'klio' AND merchant_id = $1`, [merchantId])) as {
      device_id: string;
    }[];
    const expected = new Set([...(only ?? []), ...registered.map((r) => r.device_id)]);
    result.missing = [...expected].filter((id) => !listed.has(id)).sort();
    return result;
  }

  onApplicationShutdown(): void {
    this.klio.shutdown();
  }
}
