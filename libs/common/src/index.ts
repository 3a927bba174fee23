// Shared plumbing for every app: configuration, errors, ids, logging.
export * from './config';
export * from './app-error';
export * from './ids';
export * from './logger';
