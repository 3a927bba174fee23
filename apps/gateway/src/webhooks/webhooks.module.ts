// Webhook subscriptions in the gateway: the routes and the service behind them. Deliveries
// themselves are made by the webhooks app (apps/webhooks).
import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({ controllers: [WebhooksController], providers: [WebhooksService] })
export class WebhooksModule {}
