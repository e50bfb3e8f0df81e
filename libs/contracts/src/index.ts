/** The distributed run mode: contexts' commands and queries over gRPC, and the hosts that serve them. */
export * from './wire-json.js';
export * from './wire-messages.js';
export * from './contract-registry.js';
export * from './contract-codec.js';
export * from './remote-errors.js';
export * from './grpc-endpoint.js';
export * from './grpc-urls.js';
export * from './context-definition.js';
export * from './context-grpc.controller.js';
export * from './remote-context.js';
export * from './remote-contexts.module.js';
export * from './remote-health.controller.js';
export * from './relay.module.js';
export * from './operations-server.js';
export * from './context-host.js';
export * from './gateway-host.js';
export * from './run-host.js';
