export * from './projection.js';
export * from './data-source.js';
export * from './checkpoints.js';
export * from './migrate-once.js';
export * from './ready-batches.js';
export * from './projection-runner.js';
export * from './dead-letters.js';
export * from './transient-failure.js';
