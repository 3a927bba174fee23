// The whole path for webhook tests: the system (database, Redis, sandbox, payments worker), the
// gateway over HTTP, the webhooks app in this process, and a receiver on 127.0.0.1.
import type { DeliveryView, WebhookView } from '@app/webhooks';
import { waitFor } from '@app/testing';
import { createWebhooksApp, WebhooksApp } from '../../apps/webhooks/src/webhooks.app';
import type { WebhooksConfig } from '../../apps/webhooks/src/webhooks.config';
import { Register, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';
import { WebhookReceiver } from './webhook.receiver';

export const SECRET_KEY = 'webhook-tests-secret-key-0123456789abcdef';

/** Retries in milliseconds, so a test sees a dozen attempts in a few seconds. */
export const FAST_RETRIES: Partial<WebhooksConfig> = {
  WEBHOOK_RETRY_SCHEDULE_MS: [100, 200, 300],
  WEBHOOK_RETRY_WINDOW_MS: 120_000,
  WEBHOOK_TIMEOUT_MS: 2000,
  WEBHOOK_SWEEP_INTERVAL_MS: 300,
  WEBHOOK_ALLOW_PRIVATE_TARGETS: true,
  WEBHOOK_SECRET_KEY: SECRET_KEY,
};

export interface WebhookSystem {
  sys: System;
  gw: StartedGateway;
  receiver: WebhookReceiver;
  webhooks: WebhooksApp;
  /** Starts (again) the webhooks app with these settings; the previous one, if any, is closed first. */
  restartWebhooks(settings?: Partial<WebhooksConfig>): Promise<WebhooksApp>;
  subscribe(reg: Register, path: string, body?: Record<string, unknown>, answer?: number): Promise<WebhookView>;
  deliveries(reg: Register, webhookId: string): Promise<DeliveryView[]>;
  /** Ids of every event stored for the merchant, by type when given. */
  eventsOf(merchantId: string, types?: string[]): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startWebhookSystem(settings: Partial<WebhooksConfig> = FAST_RETRIES): Promise<WebhookSystem> {
  const previousKey = process.env.WEBHOOK_SECRET_KEY;
  process.env.WEBHOOK_SECRET_KEY = SECRET_KEY;
  const sys = await startSystem();
  const gw = await startGatewayFor(sys);
  const receiver = await WebhookReceiver.start();
  let webhooks: WebhooksApp | null = null;
  const restartWebhooks = async (more: Partial<WebhooksConfig> = settings) => {
    await webhooks?.app.close();
    webhooks = await createWebhooksApp({ ...sys.config, ...more });
    return webhooks;
  };
  const system: WebhookSystem = {
    sys,
    gw,
    receiver,
    webhooks: await restartWebhooks(),
    async restartWebhooks(more) {
      system.webhooks = await restartWebhooks(more);
      return system.webhooks;
    },
    async subscribe(reg, path, body = {}, answer = 200) {
      const url = receiver.endpoint(path, answer);
      const res = await gw.call<WebhookView & { secret: string }>('POST', '/v1/webhooks', { key: reg.apiKey, body: { url, ...body } });
      if (res.status !== 201) throw new Error(`subscribing answered ${res.status}: ${JSON.stringify(res.body)}`);
      receiver.trust(path, res.body.secret);
      return res.body;
    },
    async deliveries(reg, webhookId) {
      const res = await gw.call<{ data: DeliveryView[] }>('GET', `/v1/webhooks/${webhookId}/deliveries?limit=200`, { key: reg.apiKey });
      if (res.status !== 200) throw new Error(`delivery log answered ${res.status}`);
      return res.body.data;
    },
    async eventsOf(merchantId, types) {
      const rows = (await sys.db.dataSource.query(
        'SELECT id FROM outbox WHERE merchant_id = $1 AND ($2::text[] IS NULL OR type = ANY($2)) ORDER BY seq',
        [merchantId, types ?? null],
      )) as { id: string }[];
      return rows.map((r) => r.id);
    },
    async stop() {
      await webhooks?.app.close();
      await sys.stop();
      await receiver.close();
      if (previousKey === undefined) delete process.env.WEBHOOK_SECRET_KEY;
      else process.env.WEBHOOK_SECRET_KEY = previousKey;
    },
  };
  return system;
}

export { registerFor, waitFor };

/** Runs a payment through the gateway and the sandbox to its final status. */
export async function paid(reg: Register, amount = 150_000): Promise<string> {
  const res = await reg.pay({ amount });
  if (res.status !== 202 && res.status !== 200) throw new Error(`payment answered ${res.status}`);
  const id = String(res.body.id);
  await reg.final(id);
  return id;
}
