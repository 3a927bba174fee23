// Persistence: entities, migrations, the data source, and the operation state store with its outbox.
export * from './data-source';
export * from './entities/merchant.entity';
export * from './entities/api-key.entity';
export * from './entities/terminal.entity';
export * from './entities/operation.entity';
export * from './entities/operation.types';
export * from './entities/idempotency-key.entity';
export * from './entities/outbox-event.entity';
export * from './operation-view.mapper';
export * from './operations.repository';
export * from './merchant-cuit.lookup';
export * from './idempotency-keys.purge';
