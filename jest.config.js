/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleNameMapper: {
    '^@app/event-store(/.*)?$': '<rootDir>/libs/event-store/src$1',
    '^@app/domain(/.*)?$': '<rootDir>/libs/domain/src$1',
    '^@app/projections(/.*)?$': '<rootDir>/libs/projections/src$1',
    '^@app/workflow(/.*)?$': '<rootDir>/libs/workflow/src$1',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
