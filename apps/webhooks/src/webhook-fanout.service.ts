// From one published event to its deliveries: one row per active subscription of the event's
// merchant that wants its type, each with a job. Rows are keyed by (subscription, event), so an
// event seen twice (the stream is at least once) makes no second delivery. Subscriptions created
// after the event do not get it, so a replayed stream does not flood new receivers with history.
import { Logger, newId } from '@app/common';
import { type CloudEvent, JobName } from '@app/contracts';
import { DELIVERY_ID_PREFIX, WebhookDeliveryJob } from '@app/webhooks';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';

export class WebhookFanout {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Queue,
    private readonly logger: Logger,
  ) {}

  /** Makes the event's deliveries and queues them; answers how many are waiting for a first attempt. */
  async fanOut(event: CloudEvent, merchantId: string): Promise<number> {
    const subscriptions = (await this.dataSource.query(
      `SELECT id FROM webhook_subscriptions
        WHERE merchant_id = $1 AND status = 'active' AND created_at <= $3
          AND (types IS NULL OR types @> jsonb_build_array($2::text))`,
      [merchantId, event.type, new Date(event.time)],
    )) as { id: string }[];
    if (subscriptions.length === 0) return 0;
    const now = new Date();
    await this.dataSource.query(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, next_attempt_at, created_at)
       SELECT d.id, d.subscription_id, $3, $4, $5, $5 FROM unnest($1::varchar[], $2::varchar[]) AS d(id, subscription_id)
       ON CONFLICT (subscription_id, event_id) DO NOTHING`,
      [subscriptions.map(() => newId(DELIVERY_ID_PREFIX)), subscriptions.map((s) => s.id), event.id, event.type, now],
    );
    // Also the ones a previous try of this event stored but may not have queued.
    const due = (await this.dataSource.query(
      `SELECT id FROM webhook_deliveries WHERE event_id = $1 AND status = 'pending' AND attempts = 0`,
      [event.id],
    )) as { id: string }[];
    if (due.length === 0) return 0;
    try {
      // BullMQ ignores a job id it already has, so queueing again is harmless.
      await this.queue.addBulk(
        due.map(({ id }) => ({ name: JobName.WebhookDeliver, data: { deliveryId: id } satisfies WebhookDeliveryJob, opts: { jobId: id } })),
      );
    } catch (err) {
      // The rows are stored: the sweeper queues pending deliveries that have no job.
      this.logger.warn({ eventId: event.id, err: (err as Error).message }, 'queueing deliveries failed; left to the sweeper');
    }
    return due.length;
  }
}
