// The gateway's Postgres pool (one TypeORM DataSource) and the operation state store built on it.
import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { createDataSource, OperationsRepository } from '@app/persistence';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, GatewayConfig } from '../gateway.config';
import { OutboxRelayHost } from './outbox-relay.host';

/** Closes the pool last, after the HTTP server has drained its in-flight requests and the outbox relay has flushed. */
@Injectable()
export class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OutboxRelayHost) private readonly relay: OutboxRelayHost,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export const databaseProviders: Provider[] = [
  {
    provide: DataSource,
    inject: [GATEWAY_CONFIG],
    useFactory: async (config: GatewayConfig): Promise<DataSource> => {
      const dataSource = createDataSource(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
      await dataSource.initialize();
      return dataSource;
    },
  },
  {
    provide: OperationsRepository,
    inject: [DataSource],
    useFactory: (dataSource: DataSource) => new OperationsRepository(dataSource),
  },
  DataSourceCloser,
];
