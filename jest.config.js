// Unit tests (*.spec.ts) are pure logic; integration (*.int-spec.ts) and end-to-end
// (*.e2e-spec.ts) tests talk to real Postgres, Redis and the sandbox over HTTP. The fault matrix
// (test/faults) has a config of its own, test/faults/jest.config.js (`npm run test:faults`): kept out
// of these projects.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test', '<rootDir>/scripts', '<rootDir>/examples'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/integration-setup.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
};
