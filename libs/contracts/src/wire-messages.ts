/**
 * The messages of proto/observa/common/v1/envelope.proto as @grpc/proto-loader hands them to us
 * (camelCase fields, 64-bit integers as strings, oneofs named by `outcome`). Written by hand: keep in
 * step with the .proto file.
 */
import type { Observable } from 'rxjs';

export type WireActor = { userId: string; role: string };

/** Absent optional fields are absent (proto3 `optional`), not empty strings. */
export type WireWriteContext = {
  commandId?: string;
  missionId?: string;
  actor?: WireActor;
  correlationId?: string;
  causationId?: string;
  idSeed?: string;
  keyed: boolean;
};

export type CommandRequest = { name: string; payloadJson: string; context?: WireWriteContext };

export type WirePrincipal = {
  userId: string;
  email: string;
  platformRole?: string;
  missionRoles: Record<string, { roles: string[] }>;
  rolesAsSets: boolean;
};

export type QueryRequest = {
  name: string;
  payloadJson: string;
  principal?: WirePrincipal;
  correlationId: string;
};

export type Failure = { name: string; message: string; fields: Record<string, string> };

/** CommandReply and QueryReply: a result or a failure. */
export type Reply =
  | { resultJson: string; failure?: null; outcome?: 'resultJson' }
  | { resultJson?: string; failure: Failure; outcome?: 'failure' };

/** The service every context declares (observa.<context>.v1.<Context>Service). */
export type ContextService = {
  execute(request: CommandRequest, options?: { deadline: Date }): Observable<Reply>;
  ask(request: QueryRequest, options?: { deadline: Date }): Observable<Reply>;
};

export type HealthCheckResponse = { status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' };

export type HealthService = {
  check(request: { service: string }, options?: { deadline: Date }): Observable<HealthCheckResponse>;
};
