// The runtime every operation worker shares: the job runner, the sweeper, metrics and ops endpoints.
export * from './advance';
export * from './operation.worker';
export * from './operation.sweeper';
export * from './worker.metrics';
export * from './ops.server';
export * from './intent.lifecycle';
export * from './paystore.support';
export * from './provider.adapters';
export * from './operation.runtime';
export * from './log.context';
export * from './periodic.task';
export * from './graceful.close';
