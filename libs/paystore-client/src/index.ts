// Public surface of @app/paystore-client: the PayStore Terminal APIs client, its wire types,
// errors, status and amount helpers, and a thin Nest module. The core needs no Nest.
export * from './paystore.options';
export * from './paystore.types';
export * from './paystore.filters';
export * from './paystore.errors';
export * from './paystore.status';
export * from './paystore.amounts';
export * from './paystore-token.cache';
export * from './paystore-breakers';
export * from './paystore.client';
export * from './paystore.module';
export * from './paystore.adapter';
