// Queues and jobs for operations: names, options, connections, and idempotent enqueueing.
export * from './operation-queues';
export * from './redis-requirements';
export * from './shutdown';
