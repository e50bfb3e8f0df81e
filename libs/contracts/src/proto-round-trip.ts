/**
 * For specs: a message through the real protobuf encoding of the generic tunnel (Execute/Ask over
 * envelope.proto), as gRPC sends it. No context declares the tunnel any more: the service is a spec's own.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protoLoader from '@grpc/proto-loader';
import { contextEndpoint, grpcOptions } from './grpc-endpoint.js';
import type { CommandRequest, QueryRequest, Reply } from './wire-messages.js';

type Method = {
  requestSerialize(value: unknown): Buffer;
  requestDeserialize(bytes: Buffer): unknown;
  responseSerialize(value: unknown): Buffer;
  responseDeserialize(bytes: Buffer): unknown;
};

const service = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'observa-tunnel-proto-'));
  mkdirSync(join(dir, 'observa', 'tunnel', 'v1'), { recursive: true });
  writeFileSync(
    join(dir, 'observa', 'tunnel', 'v1', 'tunnel.proto'),
    `syntax = "proto3";
package observa.tunnel.v1;
import "observa/common/v1/envelope.proto";
service TunnelService {
  rpc Execute(observa.common.v1.CommandRequest) returns (observa.common.v1.CommandReply);
  rpc Ask(observa.common.v1.QueryRequest) returns (observa.common.v1.QueryReply);
}
`,
  );
  const endpoint = contextEndpoint('tunnel', [dir]);
  const { protoPath, loader } = grpcOptions(endpoint, '127.0.0.1:1').options;
  const definition = protoLoader.loadSync(protoPath as string[], loader as protoLoader.Options);
  return definition[`${endpoint.package}.${endpoint.service}`] as unknown as Record<
    'Execute' | 'Ask',
    Method
  >;
})();

export const overTheWire = {
  command: (request: CommandRequest): CommandRequest =>
    service.Execute.requestDeserialize(service.Execute.requestSerialize(request)) as CommandRequest,
  query: (request: QueryRequest): QueryRequest =>
    service.Ask.requestDeserialize(service.Ask.requestSerialize(request)) as QueryRequest,
  reply: (reply: Reply): Reply =>
    service.Execute.responseDeserialize(service.Execute.responseSerialize(reply)) as Reply,
};
