// Webhook routes: parse (done by @Input), call the service, answer.
import { Controller, Inject } from '@nestjs/common';
import { DeliveryView, toWebhookView, WebhookView } from '@app/webhooks';
import { MerchantId } from '../auth/principal';
import { Input, RouteInput } from '../http/route-input.decorator';
import { Endpoint } from '../http/route.definition';
import {
  createWebhookRoute,
  deleteWebhookRoute,
  enableWebhookRoute,
  getWebhookRoute,
  listDeliveriesRoute,
  listWebhooksRoute,
  redeliverRoute,
} from './webhooks.routes';
import { Page, WebhooksService } from './webhooks.service';

@Controller()
export class WebhooksController {
  constructor(@Inject(WebhooksService) private readonly webhooks: WebhooksService) {}

  @Endpoint(createWebhookRoute)
  create(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof createWebhookRoute>): Promise<WebhookView & { secret: string }> {
    return this.webhooks.create(merchantId, input.body);
  }

  @Endpoint(listWebhooksRoute)
  list(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof listWebhooksRoute>): Promise<Page<WebhookView>> {
    return this.webhooks.list(merchantId, input.query);
  }

  @Endpoint(getWebhookRoute)
  async get(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof getWebhookRoute>): Promise<WebhookView> {
    return toWebhookView(await this.webhooks.get(merchantId, input.params.id));
  }

  @Endpoint(deleteWebhookRoute)
  async delete(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof deleteWebhookRoute>): Promise<void> {
    await this.webhooks.delete(merchantId, input.params.id);
  }

  @Endpoint(enableWebhookRoute)
  enable(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof enableWebhookRoute>): Promise<WebhookView> {
    return this.webhooks.enable(merchantId, input.params.id);
  }

  @Endpoint(listDeliveriesRoute)
  deliveries(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof listDeliveriesRoute>): Promise<Page<DeliveryView>> {
    return this.webhooks.deliveries(merchantId, input.params.id, input.query);
  }

  @Endpoint(redeliverRoute)
  redeliver(@MerchantId() merchantId: string, @Input() input: RouteInput<typeof redeliverRoute>): Promise<DeliveryView> {
    return this.webhooks.redeliver(merchantId, input.params.id, input.params.deliveryId);
  }
}
