// Test-only helpers: fresh databases and Redis prefixes per test file, waiting for conditions.
export * from './services';
export * from './polling';
export * from './operations';
