export * from './postgres-event-store.js';
export * from './migrate.js';
export * from './schema.js';
export * from './embedded.js';
export * from './database.js';
export * from './data-folder-lock.js';
