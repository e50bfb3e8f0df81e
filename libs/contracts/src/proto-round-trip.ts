/** For specs: a message through the real protobuf encoding of the generic tunnel (accreditation's Execute/Ask), as gRPC sends it. */
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
  const endpoint = contextEndpoint('accreditation');
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
