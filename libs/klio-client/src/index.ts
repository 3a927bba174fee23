// Public surface of @app/klio-client: the Klio SmartPos client, its wire types and schemas,
// errors, the mappers between our operations and Klio tasks, and the provider adapter.
export * from './klio.options';
export * from './klio.wire';
export * from './klio.errors';
export * from './klio-token.cache';
export * from './klio-breakers';
export * from './klio.client';
export * from './klio.mapper';
export * from './klio.adapter';
