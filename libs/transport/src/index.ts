// The @nestjs/microservices transport over Redis Streams: a consumer-group server for
// `@EventPattern` handlers, a client that emits onto a stream, dead letters and their redrive.
export * from './redis-streams.server';
export * from './redis-streams.client';
export * from './redis-streams.context';
export * from './redis-streams.options';
export * from './event-handler.errors';
export * from './dead-letters';
export { matchesPattern } from './event-pattern';
