import { Gateway, newCuit, newTerminalId, startGateway } from './gateway.harness';

interface MerchantCreated {
  id: string;
  name: string;
  cuit: string;
  apiKey: string;
  apiKeyId: string;
}

describe('gateway admin', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => gw.close());

  it('creates a merchant with a hyphenated CUIT and a key that is stored only as its hash', async () => {
    const res = await gw.request<MerchantCreated>('POST', '/v1/admin/merchants', {
      key: gw.adminKey,
      body: { name: 'Kiosco Pepe', cuit: '20123456786' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Kiosco Pepe', cuit: '20-12345678-6' });
    expect(res.body.id).toMatch(/^mer_/);
    expect(res.body.apiKey).toMatch(/^ecr_[A-Za-z0-9_-]{43}$/);
    const rows = (await gw.db.dataSource.query('SELECT key_hash, hint FROM api_keys WHERE merchant_id = $1', [res.body.id])) as {
      key_hash: string;
      hint: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].key_hash).not.toContain(res.body.apiKey);
    expect(rows[0].hint).toBe(res.body.apiKey.slice(-4));
  });

  it('answers 409 MERCHANT.CUIT_TAKEN for a CUIT already registered, in any spelling', async () => {
    const cuit = newCuit();
    expect((await gw.request('POST', '/v1/admin/merchants', { key: gw.adminKey, body: { name: 'A', cuit } })).status).toBe(201);
    const again = await gw.request('POST', '/v1/admin/merchants', { key: gw.adminKey, body: { name: 'B', cuit: cuit.replace(/-/g, '') } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'MERCHANT.CUIT_TAKEN' });
  });

  it('refuses a CUIT with a wrong check digit, naming the field', async () => {
    const res = await gw.request('POST', '/v1/admin/merchants', { key: gw.adminKey, body: { name: 'A', cuit: '30-71234567-8' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [{ field: 'cuit' }] });
  });

  it('issues more keys, and a revoked key stops working at once while the others go on', async () => {
    const merchant = await gw.createMerchant();
    const issued = await gw.request<{ id: string; apiKey: string; hint: string }>('POST', `/v1/admin/merchants/${merchant.id}/api-keys`, {
      key: gw.adminKey,
    });
    expect(issued.status).toBe(201);
    expect(issued.body.hint).toBe(issued.body.apiKey.slice(-4));
    expect((await gw.request('GET', '/v1/terminals', { key: issued.body.apiKey })).status).toBe(200);

    const revoked = await gw.request('DELETE', `/v1/admin/merchants/${merchant.id}/api-keys/${issued.body.id}`, { key: gw.adminKey });
    expect(revoked.status).toBe(204);
    const after = await gw.request('GET', '/v1/terminals', { key: issued.body.apiKey });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'AUTH.UNAUTHORIZED' });
    expect((await gw.request('GET', '/v1/terminals', { key: merchant.apiKey })).status).toBe(200);
    // Revoking again is harmless; an unknown key is a 404.
    expect((await gw.request('DELETE', `/v1/admin/merchants/${merchant.id}/api-keys/${issued.body.id}`, { key: gw.adminKey })).status).toBe(204);
    const unknown = await gw.request('DELETE', `/v1/admin/merchants/${merchant.id}/api-keys/key_nope`, { key: gw.adminKey });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'API_KEY.NOT_FOUND' });
  });

  it('registers a terminal (201), re-labels it (200), and refuses it to another merchant (409)', async () => {
    const a = await gw.createMerchant('A');
    const b = await gw.createMerchant('B');
    const terminalId = newTerminalId();
    const path = (m: string) => `/v1/admin/merchants/${m}/terminals/${terminalId}`;
    const first = await gw.request('PUT', path(a.id), { key: gw.adminKey, body: { provider: 'paystore', label: 'Caja 1' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ terminalId, provider: 'paystore', merchantId: a.id, label: 'Caja 1' });
    const relabel = await gw.request('PUT', path(a.id), { key: gw.adminKey, body: { provider: 'paystore', label: 'Caja 2' } });
    expect(relabel.status).toBe(200);
    expect(relabel.body).toMatchObject({ label: 'Caja 2' });
    const stolen = await gw.request('PUT', path(b.id), { key: gw.adminKey, body: { provider: 'paystore' } });
    expect(stolen.status).toBe(409);
    expect(stolen.body).toMatchObject({ code: 'TERMINAL.OWNED_BY_ANOTHER_MERCHANT' });
    const owner = (await gw.db.dataSource.query('SELECT merchant_id, label FROM terminals WHERE terminal_id = $1', [terminalId])) as {
      merchant_id: string;
      label: string;
    }[];
    expect(owner).toEqual([{ merchant_id: a.id, label: 'Caja 2' }]);
  });

  it('refuses a PayStore terminal id that is not 8 digits, and an unknown merchant', async () => {
    const m = await gw.createMerchant();
    const bad = await gw.request('PUT', `/v1/admin/merchants/${m.id}/terminals/1234`, { key: gw.adminKey, body: { provider: 'paystore' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'REQUEST.VALIDATION_FAILED', errors: [{ field: 'terminalId' }] });
    const nobody = await gw.request('PUT', `/v1/admin/merchants/mer_nope/terminals/${newTerminalId()}`, {
      key: gw.adminKey,
      body: { provider: 'paystore' },
    });
    expect(nobody.status).toBe(404);
    expect(nobody.body).toMatchObject({ code: 'MERCHANT.NOT_FOUND' });
    const provider = await gw.request('PUT', `/v1/admin/merchants/${m.id}/terminals/${newTerminalId()}`, {
      key: gw.adminKey,
      body: { provider: 'klio' },
    });
    expect(provider.status).toBe(400);
  });

  it('reads a merchant with its terminals and key hints, never the keys', async () => {
    const m = await gw.createMerchant('Detalle');
    const t = await gw.registerTerminal(m.id);
    const res = await gw.request<{ terminals: { terminalId: string }[]; apiKeys: { id: string; hint: string }[] }>(
      'GET',
      `/v1/admin/merchants/${m.id}`,
      { key: gw.adminKey },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: m.id, name: 'Detalle', cuit: m.cuit });
    expect(res.body.terminals.map((x) => x.terminalId)).toEqual([t]);
    expect(res.body.apiKeys).toEqual([expect.objectContaining({ hint: m.apiKey.slice(-4), revokedAt: null })]);
    expect(res.text).not.toContain(m.apiKey);
    expect((await gw.request('GET', '/v1/admin/merchants/mer_nope', { key: gw.adminKey })).status).toBe(404);
  });

  it('lists merchants newest first, page by page, with no repeats', async () => {
    for (let i = 0; i < 3; i++) await gw.createMerchant(`Lista ${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: { id: string }[]; nextCursor: string | null } } = await gw.request(
        'GET',
        `/v1/admin/merchants?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key: gw.adminKey },
      );
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((m) => m.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const all = (await gw.db.dataSource.query('SELECT id FROM merchants ORDER BY created_at DESC, id DESC')) as { id: string }[];
    expect(seen).toEqual(all.map((r) => r.id));
  });

  describe('auth', () => {
    it('answers 401 without a key or with an unknown one', async () => {
      const none = await gw.request('GET', '/v1/admin/merchants', { key: null });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(none.body).toMatchObject({ code: 'AUTH.UNAUTHORIZED', status: 401 });
      expect((await gw.request('GET', '/v1/admin/merchants', { key: 'ecr_unknown' })).status).toBe(401);
      expect((await gw.request('GET', '/v1/terminals', { key: 'not-a-key' })).status).toBe(401);
    });

    it('answers 403 to a merchant key on admin routes and to the admin key on merchant routes', async () => {
      const m = await gw.createMerchant();
      const asMerchant = await gw.request('GET', '/v1/admin/merchants', { key: m.apiKey });
      expect(asMerchant.status).toBe(403);
      expect(asMerchant.body).toMatchObject({ code: 'AUTH.FORBIDDEN' });
      const asAdmin = await gw.request('GET', '/v1/terminals', { key: gw.adminKey });
      expect(asAdmin.status).toBe(403);
      expect(asAdmin.body).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    });
  });

  it("lists only the merchant's own terminals", async () => {
    const a = await gw.createMerchant();
    const b = await gw.createMerchant();
    const ta = [await gw.registerTerminal(a.id), await gw.registerTerminal(a.id), await gw.registerTerminal(a.id)].sort();
    await gw.registerTerminal(b.id);
    const first = await gw.request<{ data: { terminalId: string }[]; nextCursor: string | null }>('GET', '/v1/terminals?limit=2', {
      key: a.apiKey,
    });
    expect(first.status).toBe(200);
    expect(first.body.data.map((t) => t.terminalId)).toEqual(ta.slice(0, 2));
    const second = await gw.request<{ data: { terminalId: string }[]; nextCursor: string | null }>(
      'GET',
      `/v1/terminals?limit=2&cursor=${first.body.nextCursor}`,
      { key: a.apiKey },
    );
    expect(second.body.data.map((t) => t.terminalId)).toEqual(ta.slice(2));
    expect(second.body.nextCursor).toBeNull();
  });
});

describe('gateway without ADMIN_API_KEY', () => {
  let gw: Gateway;

  beforeAll(async () => {
    gw = await startGateway({ ADMIN_API_KEY: undefined });
  });
  afterAll(async () => gw.close());

  it('answers 401 on every admin route, whatever key is sent', async () => {
    const res = await gw.request('POST', '/v1/admin/merchants', { key: gw.adminKey, body: { name: 'A', cuit: newCuit() } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'AUTH.UNAUTHORIZED' });
    expect(await gw.counts()).toEqual({ operations: 0, idempotencyKeys: 0, outbox: 0 });
    const merchants = (await gw.db.dataSource.query('SELECT count(*)::int AS n FROM merchants')) as { n: number }[];
    expect(merchants[0].n).toBe(0);
  });
});
