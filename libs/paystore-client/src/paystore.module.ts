// A thin Nest wrapper: provides one PaystoreClient from options (or an async factory), logs its
// warnings through Nest's Logger, and stops its breaker timers when the application shuts down.
import { DynamicModule, FactoryProvider, Inject, Logger, Module, ModuleMetadata, OnApplicationShutdown, Provider } from '@nestjs/common';
import { PaystoreClient } from './paystore.client';
import { PaystoreClientOptions } from './paystore.options';

export const PAYSTORE_CLIENT_OPTIONS = Symbol('PAYSTORE_CLIENT_OPTIONS');

export interface PaystoreClientModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => PaystoreClientOptions | Promise<PaystoreClientOptions>;
  /** Make `PaystoreClient` injectable everywhere without importing the module again. */
  isGlobal?: boolean;
}

const clientProvider: Provider = {
  provide: PaystoreClient,
  inject: [PAYSTORE_CLIENT_OPTIONS],
  useFactory: (options: PaystoreClientOptions) => new PaystoreClient({ logger: new Logger('PaystoreClient'), ...options }),
};

@Module({})
export class PaystoreClientModule implements OnApplicationShutdown {
  constructor(@Inject(PaystoreClient) private readonly client: PaystoreClient) {}

  static forRoot(options: PaystoreClientOptions & { isGlobal?: boolean }): DynamicModule {
    const { isGlobal, ...clientOptions } = options;
    return {
      module: PaystoreClientModule,
      global: isGlobal ?? false,
      providers: [{ provide: PAYSTORE_CLIENT_OPTIONS, useValue: clientOptions }, clientProvider],
      exports: [PaystoreClient],
    };
  }

  static forRootAsync(options: PaystoreClientModuleAsyncOptions): DynamicModule {
    return {
      module: PaystoreClientModule,
      global: options.isGlobal ?? false,
      imports: options.imports ?? [],
      providers: [
        { provide: PAYSTORE_CLIENT_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        clientProvider,
      ],
      exports: [PaystoreClient],
    };
  }

  onApplicationShutdown(): void {
    this.client.shutdown();
  }
}
