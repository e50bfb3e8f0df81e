/** The distributed run mode: contexts' typed rpcs over gRPC, and the hosts that serve them. */
export * from './calls.js';
export * from './grpc-problems.js';
export * from './grpc-endpoint.js';
export * from './grpc-urls.js';
export * from './context-definition.js';
export * from './grpc-health.controller.js';
export * from './remote-context.js';
export * from './remote-contexts.module.js';
export * from './remote-health.controller.js';
export * from './relay.module.js';
export * from './operations-server.js';
export * from './context-host.js';
export * from './gateway-host.js';
export * from './run-host.js';
export * from './one-process-platform.js';
export * from './platform-contexts.js';
