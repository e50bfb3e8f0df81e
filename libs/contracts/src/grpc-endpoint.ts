/**
 * Where a context's gRPC service is described and how both ends load it: proto/ files read at run time
 * by @grpc/proto-loader through Nest's gRPC transport, found from src/ (tests) and dist/ (node) alike.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Transport, type GrpcOptions } from '@nestjs/microservices';

export const HEALTH_PACKAGE = 'grpc.health.v1';
const HEALTH_PROTO = 'grpc/health/v1/health.proto';
const MARKER = join('observa', 'common', 'v1', 'envelope.proto');
/**
 * A query's answer travels in one message. Lists answer a page at a time, and a page stops growing at
 * PAGE_BYTES (4 MiB, libs/platform pages.ts) plus one item: under 12 MiB, whatever `limit` asks.
 */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

/**
 * A channel whose server went away tries again after 250 ms, backing off to at most this: a context
 * relaunched after a crash is reached within seconds (grpc-js' default backs off to 120 s).
 */
export const MAX_RECONNECT_BACKOFF_MS = 1000;

/**
 * The gateway's channel to a context pings an idle connection every 10 s and drops it when no answer
 * comes within 5 s (a peer killed without closing its sockets, a half-open connection), so the next
 * call reconnects instead of waiting on a dead socket.
 */
export const CLIENT_CHANNEL_OPTIONS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': MAX_RECONNECT_BACKOFF_MS,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5000,
  'grpc.keepalive_permit_without_calls': 1,
} as const;

/** The context's server accepts those pings (grpc-js refuses pings more often than every 5 min by default). */
const SERVER_CHANNEL_OPTIONS = {
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 5000,
} as const;

/** The repository's proto/ folder: the nearest `proto/` above this file (from src/ and dist/ alike; the image copies it). */
export const protoDir = (from: string = fileURLToPath(import.meta.url)): string => {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'proto', MARKER))) return join(dir, 'proto');
    if (dirname(dir) === dir) throw new Error(`no proto/${MARKER} above ${from}`);
  }
};

export type ContextEndpoint = {
  /** `observa.missions.v1` */
  readonly package: string;
  /** `MissionsService` */
  readonly service: string;
  /** Relative to a proto folder: `observa/missions/v1/missions.proto`. */
  readonly protoFile: string;
  /** Folders searched before the repository's proto/ (a test's own service, say). */
  readonly protoDirs?: readonly string[];
};

const pascalCase = (name: string): string =>
  name.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, letter: string) => letter.toUpperCase());

/** The service of a context by the house convention: proto/observa/<context>/v1/<context>.proto. */
export const contextEndpoint = (context: string, protoDirs?: readonly string[]): ContextEndpoint => ({
  package: `observa.${context}.v1`,
  service: `${pascalCase(context)}Service`,
  protoFile: `observa/${context}/v1/${context}.proto`,
  ...(protoDirs && { protoDirs }),
});

/** The options of both ends: the context's service and the standard health service, on `url` (host:port). */
export const grpcOptions = (
  endpoint: ContextEndpoint,
  url: string,
  end: 'client' | 'server' = 'server',
): GrpcOptions & { transport: Transport.GRPC } => ({
  transport: Transport.GRPC,
  options: {
    url,
    channelOptions: { ...(end === 'client' ? CLIENT_CHANNEL_OPTIONS : SERVER_CHANNEL_OPTIONS) },
    package: [endpoint.package, HEALTH_PACKAGE],
    protoPath: [endpoint.protoFile, HEALTH_PROTO],
    maxSendMessageLength: MAX_MESSAGE_BYTES,
    maxReceiveMessageLength: MAX_MESSAGE_BYTES,
    // On SIGTERM the server lets calls in flight finish.
    gracefulShutdown: true,
    loader: {
      includeDirs: [...(endpoint.protoDirs ?? []), protoDir()],
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    },
  },
});
