// The accounting service's module: the journal over its own DataSource, closed with the app.
import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountingController } from './accounting.controller';
import { JournalService } from './journal.service';

@Module({})
export class AccountingModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forDataSource(dataSource: DataSource): DynamicModule {
    return {
      module: AccountingModule,
      controllers: [AccountingController],
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: JournalService, useFactory: (ds: DataSource) => new JournalService(ds), inject: [DataSource] },
      ],
      exports: [JournalService],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
