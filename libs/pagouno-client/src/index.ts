// Public surface of @app/pagouno-client: the pagoUno client, its wire schemas and errors, the
// purchase group validation the gateway reuses, the answer mapping, and the provider adapter.
export * from './pagouno.options';
export * from './pagouno.errors';
export * from './pagouno.wire';
export * from './pagouno.validation';
export * from './pagouno-breakers';
export * from './pagouno.client';
export * from './pagouno.mapping';
export * from './pagouno.adapter';
