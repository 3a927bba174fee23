// Wires the webhooks app: the stream handler that fans events out to deliveries, on the runtime
// that delivers them. The runtime starts with the application (before the stream is read) and
// stops after the stream consumer has closed.
import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WebhookEventsController } from './webhook-events.controller';
import { WebhookFanout } from './webhook-fanout.service';
import { WebhooksRuntime } from './webhooks.runtime';

@Module({})
export class WebhooksModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(WebhooksRuntime) private readonly runtime: WebhooksRuntime) {}

  static forRuntime(runtime: WebhooksRuntime): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhookEventsController],
      providers: [
        { provide: WebhooksRuntime, useValue: runtime },
        { provide: WebhookFanout, useValue: runtime.fanout },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
