// Klio's device list becomes a merchant's terminals: new devices registered, known ones refreshed,
// another merchant's reported and left alone, vanished ones reported.
import { randomUUID } from 'node:crypto';
import { RunningSandbox, startSandbox } from '../../apps/sandbox/src/sandbox.app';
import { Gateway, startGateway } from './gateway.harness';

interface SyncResult {
  registered: { terminalId: string; deviceId: string; label: string | null; provider: string }[];
  updated: { terminalId: string; deviceId: string }[];
  conflicts: { deviceId: string; terminalId: string; merchantId: string }[];
  missing: string[];
}

describe('Klio device sync', () => {
  let sandbox: RunningSandbox;
  let gw: Gateway;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', logLevels: false });
    gw = await startGateway({ KLIO_BASE_URL: sandbox.url });
  });
  afterAll(async () => {
    await gw?.close();
    await sandbox?.close();
  });

  const sync = (merchantId: string, body: unknown = {}) =>
    gw.request<SyncResult & { code?: string }>('POST', `/v1/admin/merchants/${merchantId}/klio-devices/sync`, { key: gw.adminKey, body });
  const devices = async () =>
    ((await (await fetch(`${sandbox.url}/sandbox/klio/devices`)).json()) as { data: { deviceId: string; terminalId: string; deviceName: string }[] }).data;

  it('registers every device of the account, then refreshes them, and reports them to another merchant as conflicts', async () => {
    const listed = await devices();
    expect(listed.length).toBeGreaterThan(0);
    const shop = await gw.createMerchant();
    const first = await sync(shop.id);
    expect(first.status).toBe(200);
    expect(first.body.registered.map((t) => t.deviceId).sort()).toEqual(listed.map((d) => d.deviceId).sort());
    for (const t of first.body.registered) {
      const device = listed.find((d) => d.deviceId === t.deviceId);
      expect(t).toMatchObject({ provider: 'klio', terminalId: device?.terminalId, label: device?.deviceName });
    }

    const again = await sync(shop.id);
    expect(again.body).toMatchObject({ registered: [], conflicts: [], missing: [] });
    expect(again.body.updated).toHaveLength(listed.length);

    const other = await gw.createMerchant();
    const taken = await sync(other.id);
    expect(taken.body.registered).toEqual([]);
    expect(taken.body.conflicts.map((c) => c.merchantId)).toEqual(listed.map(() => shop.id));

    const terminals = await gw.request<{ data: { terminalId: string; deviceId: string | null }[] }>('GET', '/v1/terminals', { key: shop.apiKey });
    expect(terminals.body.data.filter((t) => t.deviceId !== null)).toHaveLength(listed.length);
    const theirs = await gw.request<{ data: unknown[] }>('GET', '/v1/terminals', { key: other.apiKey });
    expect(theirs.body.data).toEqual([]);
  });

  it('syncs only the devices asked for, and reports asked-for devices Klio does not list', async () => {
    const deviceId = `DEV-${randomUUID().slice(0, 8).toUpperCase()}`;
    const added = await fetch(`${sandbox.url}/sandbox/klio/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId, deviceName: 'Caja 9', terminalId: `7${Date.now() % 10_000_000}` }),
    });
    expect(added.status).toBe(201);
    const shop = await gw.createMerchant();
    const res = await sync(shop.id, { deviceIds: [deviceId, 'NOT-A-DEVICE'] });
    expect(res.status).toBe(200);
    expect(res.body.registered).toEqual([expect.objectContaining({ deviceId, label: 'Caja 9' })]);
    expect(res.body.missing).toEqual(['NOT-A-DEVICE']);
  });

  it('answers 404 for an unknown merchant and 502 when Klio cannot be read', async () => {
    expect((await sync('mer_unknown')).status).toBe(404);
    const shop = await gw.createMerchant();
    await fetch(`${sandbox.url}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: { path: 'get-pos-devices' }, errorRate: 1, status: 500, forSeconds: 5 }),
    });
    const res = await sync(shop.id);
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('PROVIDER.ERROR');
    await fetch(`${sandbox.url}/sandbox/faults`, { method: 'DELETE' });
  });
});
