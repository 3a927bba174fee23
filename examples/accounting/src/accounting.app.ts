// Builds the accounting service: its journal schema made sure of, then a Nest microservice on the
// Redis Streams transport, consuming ecr-bridge's event stream in its own consumer group.
import { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventErrorFilter, RedisStreamsServer, RedisStreamsServerOptions } from '@app/transport';
import { AccountingModule } from './accounting.module';
import { JournalService } from './journal.service';
import { createJournalDataSource, ensureJournalSchema } from './journal.schema';

export interface AccountingOptions {
  /** The journal's database (its own; not ecr-bridge's). */
  databaseUrl: string;
  /** Postgres schema of the journal's tables. Default `accounting`. */
  schema?: string;
  redisUrl: string;
  /** ecr-bridge's event stream (`EVENT_STREAM_KEY`). */
  stream: string;
  /** Default `accounting`. */
  group?: string;
  consumer?: string;
  /** Anything else of the transport (timings, dead-letter stream…). */
  transport?: Partial<RedisStreamsServerOptions>;
  logLevels?: LogLevel[] | false;
}

export interface AccountingApp {
  app: INestMicroservice;
  journal: JournalService;
  close(): Promise<void>;
}

export async function createAccountingApp(options: AccountingOptions): Promise<AccountingApp> {
  const schema = options.schema ?? 'accounting';
  const dataSource = createJournalDataSource(options.databaseUrl, schema);
  await dataSource.initialize();
  try {
    await ensureJournalSchema(dataSource, schema);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  const strategy = new RedisStreamsServer({
    url: options.redisUrl,
    stream: options.stream,
    group: options.group ?? 'accounting',
    ...(options.consumer ? { consumer: options.consumer } : {}),
    ...options.transport,
  });
  const app = await NestFactory.createMicroservice(AccountingModule.forDataSource(dataSource), {
    strategy,
    logger: options.logLevels ?? ['error', 'warn', 'log'],
  });
  app.useGlobalFilters(new EventErrorFilter());
  await app.listen();
  return { app, journal: app.get(JournalService), close: () => app.close() };
}
