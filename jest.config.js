// Jest runs NestJS 12 (ESM-only) in Node's ESM mode; swc strips types and keeps decorator metadata.
const swc = {
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^#(event-sourcing|eventstore-postgres|eventstore-eventstoredb|messaging|testing|platform|missions|auth|accreditation|contracts)$': '<rootDir>/libs/$1/src/index.ts',
    '^#event-sourcing/projections$': '<rootDir>/libs/event-sourcing/src/projections/index.ts',
    '^#proto/(.*)$': '<rootDir>/libs/contracts/src/generated/$1.ts',
    '^#published/(.*)$': '<rootDir>/libs/contracts/src/published/$1.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  testTimeout: 60000,
};
