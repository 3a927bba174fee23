// Events: the outbox relay that publishes committed events to the SSE positions and the Redis Stream.
export * from './outbox.relay';
export * from './sse.reader';
