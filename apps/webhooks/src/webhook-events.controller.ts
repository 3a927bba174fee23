// Every event on the stream (group `webhooks`) goes to the fan-out; most merchants have no
// subscription, which costs one indexed read. Only the product's own events (operations' and
// webhooks') are delivered: anything else on the stream is acknowledged untouched. A failure
// leaves the event pending for the transport to retry (and dead-letter after its attempts).
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { RedisStreamsContext } from '@app/transport';
import { SUBSCRIBABLE_EVENT_TYPES } from '@app/webhooks';
import { WebhookFanout } from './webhook-fanout.service';

const DELIVERABLE: ReadonlySet<string> = new Set(SUBSCRIBABLE_EVENT_TYPES);

@Controller()
export class WebhookEventsController {
  constructor(@Inject(WebhookFanout) private readonly fanout: WebhookFanout) {}

  @EventPattern('*.*')
  async event(@Ctx() ctx: RedisStreamsContext): Promise<void> {
    const event = ctx.getEvent();
    if (!DELIVERABLE.has(event.type)) return;
    const merchantId = ctx.getFields().merchantId ?? event.data.merchantId;
    if (typeof merchantId !== 'string' || merchantId.length === 0) return;
    await this.fanout.fanOut(event, merchantId);
  }
}
