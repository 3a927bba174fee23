// Public surface of libs/contracts: names, shapes and rules shared by every app. Imports nothing of ours.
export * from './money';
export * from './operation';
export * from './operation-view';
export * from './events';
export * from './queues';
export * from './errors';
export * from './commands';
export * from './providers';
