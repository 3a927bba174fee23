// Wires the gateway: infrastructure (Postgres, Redis queues, the LISTEN connection, the outbox
// relay), the global auth guard (with the rate limiter) and problem filter, and the route groups.
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { Logger } from '@app/common';
import { AdminController } from './admin/admin.controller';
import { AdminService } from './admin/admin.service';
import { AuthGuard } from './auth/auth.guard';
import { BusCommands } from './bus/bus-commands.service';
import { CommandAuthenticator } from './bus/command.authenticator';
import { CommandReplies } from './bus/command-replies.publisher';
import { CommandsListener } from './bus/commands.listener';
import { DocsController } from './docs/docs.controller';
import { OpenApiService } from './docs/openapi.service';
import { EventStreamService } from './events/event-stream.service';
import { EventsController } from './events/events.controller';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config';
import { GATEWAY_LOGGER } from './gateway.logger';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { HttpMetrics } from './health/http.metrics';
import { ProblemFilter } from './http/problem.filter';
import { IdempotencyService } from './idempotency/idempotency.service';
import { databaseProviders } from './infra/database.providers';
import { HttpDrain } from './infra/http-drain.service';
import { OperationQueues } from './infra/operation-queues.service';
import { OutboxRelayHost } from './infra/outbox-relay.host';
import { PgNotifications } from './infra/pg-notifications.service';
import { QueuesDashboardModule } from './queues-dashboard/queues-dashboard.module';
import { RateLimiter } from './security/rate-limiter.service';
import { CommandResponder } from './operations/command.responder';
import { OperationWaiter } from './operations/operation-waiter.service';
import { OperationCommands } from './operations/operation-commands.service';
import { OperationsReader } from './operations/operations.reader';
import { PaymentsController } from './payments/payments.controller';
import { PaymentsService } from './payments/payments.service';
import { KlioCallbacksController } from './providers/klio-callbacks.controller';
import { KlioDevicesController } from './providers/klio-devices.controller';
import { KLIO_DEVICE_LIST, klioDeviceListFor, KlioDevicesService } from './providers/klio-devices.service';
import { RefundsController } from './refunds/refunds.controller';
import { RefundsService } from './refunds/refunds.service';
import { ReversalsController } from './reversals/reversals.controller';
import { ReversalsService } from './reversals/reversals.service';
import { SettlementsController } from './settlements/settlements.controller';
import { SettlementsService } from './settlements/settlements.service';
import { TerminalsController } from './terminals/terminals.controller';
import { TerminalsService } from './terminals/terminals.service';
import { WebhooksModule } from './webhooks/webhooks.module';

export interface GatewayDependencies {
  logger: Logger;
  metrics: HttpMetrics;
}

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, deps: GatewayDependencies): DynamicModule {
    return {
      module: GatewayModule,
      imports: [DiscoveryModule, WebhooksModule, QueuesDashboardModule],
      controllers: [AdminController, TerminalsController, PaymentsController, ReversalsController, RefundsController, SettlementsController, KlioCallbacksController, KlioDevicesController, EventsController, HealthController, DocsController, CommandsListener],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_LOGGER, useValue: deps.logger },
        { provide: HttpMetrics, useValue: deps.metrics },
        ...databaseProviders,
        OperationQueues,
        PgNotifications,
        OutboxRelayHost,
        HttpDrain,
        RateLimiter,
        IdempotencyService,
        OperationsReader,
        OperationWaiter,
        CommandResponder,
        TerminalsService,
        PaymentsService,
        OperationCommands, ReversalsService, RefundsService, SettlementsService,
        CommandAuthenticator, CommandReplies, BusCommands,
        AdminService,
        { provide: KLIO_DEVICE_LIST, useFactory: () => klioDeviceListFor(config) },
        KlioDevicesService,
        EventStreamService,
        HealthService,
        OpenApiService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
