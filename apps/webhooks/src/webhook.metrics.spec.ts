import { QueueName } from '@app/contracts';
import type { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { WebhookMetrics } from './webhook.metrics';

describe('WebhookMetrics', () => {
  it("exports the delivery queue's depth by state and the pending deliveries, read at scrape time", async () => {
    const metrics = new WebhookMetrics(new Registry());
    let counts = { waiting: 7, active: 2, delayed: 120, failed: 1, prioritized: 0 };
    const queue = { name: QueueName.WebhookDeliveries, getJobCounts: async () => counts } as unknown as Queue;
    const dataSource = { query: async () => [{ n: 130 }] } as unknown as DataSource;
    metrics.watch(dataSource, queue);

    let text = await metrics.registry.metrics();
    expect(text).toContain('ecr_queue_jobs{queue="webhook-deliveries",state="waiting"} 7');
    expect(text).toContain('ecr_queue_jobs{queue="webhook-deliveries",state="delayed"} 120');
    expect(text).toContain('ecr_queue_jobs{queue="webhook-deliveries",state="failed"} 1');
    expect(text).toContain('ecr_webhook_deliveries_pending 130');
    counts = { ...counts, waiting: 0 };
    text = await metrics.registry.metrics();
    expect(text).toContain('ecr_queue_jobs{queue="webhook-deliveries",state="waiting"} 0');
  });

  it('counts disabled webhooks and attempts by result from the start, so increase() and rate() see the first ones', async () => {
    const metrics = new WebhookMetrics(new Registry());
    expect(await metrics.registry.metrics()).toContain('ecr_webhook_subscriptions_disabled_total 0');
    metrics.disabled.inc();
    metrics.attempts.inc({ result: 'failed' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('ecr_webhook_subscriptions_disabled_total 1');
    expect(text).toContain('ecr_webhook_attempts_total{result="failed"} 1');
  });
});
