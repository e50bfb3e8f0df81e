export * from './eventstoredb-event-store.js';
