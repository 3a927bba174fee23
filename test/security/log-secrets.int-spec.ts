// Everything the apps log during a full run — the gateway, the payments, reversals, settlements
// and webhooks apps (pino, at trace level), Nest's own lines, the sandbox's, and anything written to
// stdout, stderr or the console — is scanned for the API keys used, the admin key, the provider
// client secret, webhook signing secrets, bearer tokens, Authorization values and card numbers
// (log-scanner.ts; log-scanner.spec.ts proves it finds each of them when planted).
// The run: keys issued, rotated and revoked; payments approved, declined and cancelled; a reversal,
// a refund, a settlement; webhook deliveries; commands over the bus; the event stream; requests
// with wrong, malformed and misplaced credentials.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type * as Common from '@app/common';
import { waitFor } from '@app/testing';
import { createWebhooksApp } from '../../apps/webhooks/src/webhooks.app';
import { startBus } from '../bus/bus.harness';
import { listen, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';
import { WebhookReceiver } from '../webhooks/webhook.receiver';
import { findSecrets } from './log-scanner';

const lines: string[] = [];
const capture = (text: string) => {
  for (const line of text.split('\n')) if (line.trim()) lines.push(line);
};
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    capture(chunk.toString('utf8'));
    done();
  },
});

// Every pino logger the apps create in this process writes here, at the most verbose level.
jest.mock('@app/common', () => {
  const actual = jest.requireActual<typeof Common>('@app/common');
  return {
    ...actual,
    createLogger: (name: string, _level?: string, extras: Common.LoggerExtras = {}) =>
      actual.createLogger(name, 'trace', { ...extras, destination: sink }),
  };
});

const CLIENT_SECRET = `cs_${randomBytes(24).toString('base64url')}`;
const WEBHOOK_SECRET_KEY = `wsk_${randomBytes(32).toString('hex')}`;

describe('logs of a full run', () => {
  let sys: System;
  let gw: StartedGateway;
  let receiver: WebhookReceiver;
  const previousKey = process.env.WEBHOOK_SECRET_KEY;
  const restore: (() => void)[] = [];

  beforeAll(async () => {
    // Whatever is written to stdout, stderr or the console (Nest's console logger, the sandbox's).
    for (const stream of [process.stdout, process.stderr]) {
      const spy = jest.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
        // Kept, not printed: the run is verbose on purpose.
        capture(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const done = rest.find((arg): arg is () => void => typeof arg === 'function');
        done?.();
        return true;
      }) as typeof stream.write);
      restore.push(() => spy.mockRestore());
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => capture(args.map(String).join(' ')));
      restore.push(() => spy.mockRestore());
    }

    process.env.WEBHOOK_SECRET_KEY = WEBHOOK_SECRET_KEY;
    sys = await startSystem({
      sandbox: { clientSecret: CLIENT_SECRET, logLevels: ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'] },
      config: { LOG_LEVEL: 'trace', PAYSTORE_CLIENT_SECRET: CLIENT_SECRET, WEBHOOK_SECRET_KEY },
    });
    await sys.startReversals();
    await sys.startSettlements();
    gw = await startGatewayFor(sys, { WEBHOOK_SECRET_KEY });
    const webhooks = await createWebhooksApp({
      ...sys.config,
      WEBHOOK_SECRET_KEY,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: true,
      WEBHOOK_RETRY_SCHEDULE_MS: [100, 200],
      WEBHOOK_SWEEP_INTERVAL_MS: 300,
    });
    sys.onStop(() => webhooks.app.close());
    receiver = await WebhookReceiver.start();
    sys.onStop(() => receiver.close());
  });

  afterAll(async () => {
    await sys.stop();
    for (const undo of restore) undo();
    if (previousKey === undefined) delete process.env.WEBHOOK_SECRET_KEY;
    else process.env.WEBHOOK_SECRET_KEY = previousKey;
  });

  it('never shows a key, secret, token, Authorization value or card number', async () => {
    const ADMIN_KEY = gw.adminKey;
    const secrets: string[] = [ADMIN_KEY, CLIENT_SECRET, WEBHOOK_SECRET_KEY];
    const reg = await registerFor(sys, gw, 2);
    secrets.push(reg.apiKey, reg.apiKey.slice(4));
    const call = (method: string, path: string, body?: unknown, key = reg.apiKey) =>
      gw.call(method, path, { key, body, headers: { 'idempotency-key': `k-${randomBytes(8).toString('hex')}` } });
    const final = (path: string) =>
      waitFor(
        async () => {
          const res = await gw.call<{ status: string }>('GET', path, { key: reg.apiKey });
          return ['approved', 'rejected', 'cancelled', 'expired', 'failed'].includes(res.body.status) ? res.body : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: `${path} to be final` },
      );

    // Webhooks: a subscription whose secret signs every delivery.
    const hook = await gw.call<{ id: string; secret: string }>('POST', '/v1/webhooks', {
      key: reg.apiKey,
      body: { url: receiver.endpoint('/hook') },
    });
    expect(hook.status).toBe(201);
    secrets.push(hook.body.secret);
    receiver.trust('/hook', hook.body.secret);

    // Key rotation: a second key used, then revoked, then refused.
    const issued = await gw.call<{ id: string; apiKey: string }>('POST', `/v1/admin/merchants/${reg.merchantId}/api-keys`, { key: ADMIN_KEY });
    expect(issued.status).toBe(201);
    secrets.push(issued.body.apiKey, issued.body.apiKey.slice(4));
    expect((await gw.call('GET', '/v1/payments', { key: issued.body.apiKey })).status).toBe(200);
    expect((await gw.call('DELETE', `/v1/admin/merchants/${reg.merchantId}/api-keys/${issued.body.id}`, { key: ADMIN_KEY })).status).toBe(204);
    expect((await gw.call('GET', '/v1/payments', { key: issued.body.apiKey })).status).toBe(401);

    const stream = await listen(gw, reg.apiKey, '?after=0');

    // Payments: approved, declined, cancelled (or approved first, if the terminal is quicker).
    const approved = await reg.pay({ amount: 150000 });
    const declined = await reg.pay({ amount: 150005 });
    const slow = await reg.pay({ amount: 150008, terminalIds: [reg.terminals[1]] });
    expect([approved.status, declined.status, slow.status]).toEqual([202, 202, 202]);
    await reg.cancel(String(slow.body.id));
    expect((await final(`/v1/payments/${approved.body.id}`)).status).toBe('approved');
    expect((await final(`/v1/payments/${declined.body.id}`)).status).toBe('rejected');
    await final(`/v1/payments/${slow.body.id}`);

    // A reversal of the approved payment, an unreferenced refund, the batch close.
    const reversal = await call('POST', '/v1/reversals', { paymentId: approved.body.id });
    expect(reversal.status).toBe(202);
    expect((await final(`/v1/reversals/${reversal.body.id}`)).status).toBe('approved');
    const refund = await call('POST', '/v1/refunds', { terminalIds: [reg.terminals[0]], amount: 20000, currency: 'ARS' });
    expect(refund.status).toBe(202);
    await final(`/v1/refunds/${refund.body.id}`);
    const settlement = await call('POST', '/v1/settlements', { terminalId: reg.terminals[0] });
    expect(settlement.status).toBe(202);
    expect((await final(`/v1/settlements/${settlement.body.id}`)).status).toBe('approved');

    // Commands over the bus: one with the key, one with a wrong key.
    const bus = await startBus(sys, { WEBHOOK_SECRET_KEY });
    sys.onStop(() => bus.close());
    secrets.push(bus.gw.adminKey);
    const byBus = await bus.send('payment.create', {
      apiKey: reg.apiKey,
      body: { terminalIds: [reg.terminals[0]], amount: 30000, currency: 'ARS' },
    });
    expect(byBus.status).toBe('accepted');
    const wrong = await bus.send('payment.create', { apiKey: `ecr_${'A'.repeat(43)}`, body: { terminalIds: [reg.terminals[0]], amount: 1, currency: 'ARS' } });
    expect(wrong).toMatchObject({ status: 'rejected', problem: { status: 401 } });

    // Credentials where they do not belong, and wrong ones.
    const misplaced = `ecr_${randomBytes(32).toString('base64url')}`;
    secrets.push(misplaced);
    for (const [path, headers] of [
      [`/v1/payments?api_key=${reg.apiKey}`, { authorization: `Bearer ${reg.apiKey}` }],
      ['/v1/payments', { authorization: `Bearer ${misplaced}` }],
      ['/v1/payments', { authorization: `Basic ${Buffer.from(`user:${reg.apiKey}`).toString('base64')}` }],
      [`/v1/payments/${reg.apiKey}`, { authorization: `Bearer ${reg.apiKey}` }],
      ['/v1/admin/merchants', { authorization: `Bearer ${reg.apiKey}` }],
      ['/v1/payments', { authorization: `Bearer ${ADMIN_KEY}` }],
    ] as const) {
      const res = await fetch(gw.url + path, { headers });
      await res.arrayBuffer();
      expect(res.status).toBeGreaterThanOrEqual(400);
    }

    // Webhook deliveries arrived (signed with the secret), and the stream saw the run.
    await waitFor(() => (receiver.at('/hook').length >= 5 ? true : undefined), { timeoutMs: 30_000, what: 'webhook deliveries' });
    await waitFor(() => (stream.events.some((e) => e.event === 'settlement.approved') ? true : undefined), { what: 'the settlement on the stream' });
    await stream.close();
    await new Promise((r) => setTimeout(r, 500));

    // The capture saw every app.
    const apps = new Set(
      lines.flatMap((l) => {
        try {
          return [String((JSON.parse(l) as { app?: string }).app)];
        } catch {
          return [];
        }
      }),
    );
    expect([...apps]).toEqual(expect.arrayContaining(['gateway', 'payments', 'reversals', 'settlements', 'webhooks']));
    expect(lines.length).toBeGreaterThan(200);

    const findings = findSecrets(lines, secrets);
    expect(findings).toEqual([]);
  }, 180_000);
});
