export * from './decider-spec.js';
export * from './postgres.js';
export * from './event-store-contract.js';
export * from './kafka.js';
export * from './read-your-writes.js';
export * from './disk-scan.js';
export * from './http-spec.js';
export * from './read-model-tables.js';
