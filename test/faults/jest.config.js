// The fault matrix (`npm run test:faults`): the checker's unit tests, then the matrix itself, which
// starts its own Redis and Postgres and every app from dist/. The root jest.config.js ignores this
// folder, so `npm test` never runs it.
const { join } = require('node:path');

module.exports = {
  rootDir: join(__dirname, '..', '..'),
  displayName: 'faults',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.spec.ts', '**/*.faults-spec.ts'],
  // The checker's unit tests first; the matrix takes minutes.
  maxWorkers: 1,
};
