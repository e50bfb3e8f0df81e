export * from './topics.js';
export * from './event-transport.js';
export * from './inbox.js';
export * from './relay.js';
export * from './kafka-consumer.js';
export * from './in-process.js';
