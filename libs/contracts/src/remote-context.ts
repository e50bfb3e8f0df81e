/**
 * The gateway's client of one context's process. `service<Controller>(name)` is the context's typed
 * interface bound to its gRPC service (calls.ts): each rpc with a deadline, its reply, or the named error
 * its Problem detail stands for (grpc-problems.ts). When
 * the context cannot be reached the caller gets a 503 with Retry-After, when it does not answer in time
 * a 504, never a 500: nothing is wrong with the request, and a retry with the same Idempotency-Key is safe.
 */
import { Metadata } from '@grpc/grpc-js';
import { GatewayTimeoutException, Logger } from '@nestjs/common';
import { ClientProxyFactory, type ClientGrpc } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import { ServiceUnavailable } from '#platform';
import type { Promised } from './calls.js';
import {
  contextEndpoint,
  grpcOptions,
  MAX_RECONNECT_BACKOFF_MS,
  type ContextEndpoint,
} from './grpc-endpoint.js';
import type { HealthService } from './grpc-health.controller.js';
import { errorOfProblem, problemOf } from './grpc-problems.js';

/** An error the context's process did not name: what the gateway throws (a 500, its message logged only). */
export class RemoteInternalError extends Error {
  override readonly name = 'RemoteInternalError';
}

export type RemoteContextOptions = {
  /** The context's name (`missions`). */
  readonly context: string;
  /** host:port of its gRPC server. */
  readonly url: string;
  readonly endpoint?: ContextEndpoint;
  /** How long a command or query may take before the gateway gives up with a 503 (default 30 s). */
  readonly timeoutMs?: number;
};

/** Every RemoteContext of the app, for whoever needs them all (health, shutdown). */
export const REMOTE_CONTEXTS = Symbol('RemoteContexts');

/** gRPC status codes that mean "not reachable now" (grpc-js `status`). */
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

type Rpc = (request: unknown, metadata: Metadata, options: { deadline: Date }) => Observable<unknown>;

/** What a 503 asks the client to wait: the channel tries to reconnect at least this often. */
const RETRY_AFTER_SECONDS = Math.ceil(MAX_RECONNECT_BACKOFF_MS / 1000);

export class RemoteContext {
  readonly context: string;
  readonly url: string;
  private readonly client: ClientGrpc & { close(): void };
  private readonly health: HealthService;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  /** Since when the context has not been reachable (one log line per outage, not one per request). */
  private unreachableSince: number | undefined;

  constructor(options: RemoteContextOptions) {
    this.context = options.context;
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const endpoint = options.endpoint ?? contextEndpoint(options.context);
    this.client = ClientProxyFactory.create(
      grpcOptions(endpoint, options.url, 'client'),
    ) as unknown as ClientGrpc & {
      close(): void;
    };
    this.health = this.client.getService<HealthService>('Health');
    this.logger = new Logger(`Remote:${options.context}`);
  }

  /**
   * The context's gRPC service `name` (e.g. MISSIONS_SERVICE_NAME) as its generated controller interface
   * with Promises: every rpc the proto declares, nothing registered.
   */
  service<Controller>(name: string): Promised<Controller> {
    const rpcs = this.client.getService<Record<string, Rpc>>(name);
    const call = async (rpc: string, method: Rpc, request: unknown): Promise<unknown> => {
      try {
        return await this.call(
          rpc,
          method.call(rpcs, request, new Metadata(), this.deadline(this.timeoutMs)),
        );
      } catch (error) {
        const problem = problemOf(error as { metadata?: unknown });
        const named = problem && errorOfProblem(problem);
        if (named) throw named;
        if (error instanceof Error && 'code' in error && !('getStatus' in error)) {
          this.logger.error(`${rpc}: ${error.message}`);
          throw new RemoteInternalError(error.message);
        }
        throw error;
      }
    };
    // One function per rpc of the service as Nest loaded it from proto/ (lowerCamelCase, as generated).
    return Object.fromEntries(
      Object.entries(rpcs)
        .filter(([, method]) => typeof method === 'function')
        .map(([rpc, method]) => [rpc, (request: unknown) => call(rpc, method, request)]),
    ) as Promised<Controller>;
  }

  /** true when the context says it is serving within `timeoutMs`. */
  async serving(timeoutMs: number): Promise<boolean> {
    try {
      const { status } = await lastValueFrom(this.health.check({ service: '' }, this.deadline(timeoutMs)));
      return status === 'SERVING';
    } catch {
      return false;
    }
  }

  close(): void {
    this.client.close();
  }

  private deadline(ms: number): { deadline: Date } {
    return { deadline: new Date(Date.now() + ms) };
  }

  private async call<T>(name: string, reply: Observable<T>): Promise<T> {
    try {
      const answer = await lastValueFrom(reply);
      this.reachable();
      return answer;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === UNAVAILABLE) {
        this.unreachable(name, error as Error);
        throw new ServiceUnavailable(
          `The ${this.context} service is not reachable; try again in ${RETRY_AFTER_SECONDS} s (the same Idempotency-Key is safe).`,
          RETRY_AFTER_SECONDS,
        );
      }
      if (code === DEADLINE_EXCEEDED) {
        this.logger.warn(`${name}: ${(error as Error).message}`);
        throw new GatewayTimeoutException(
          `The ${this.context} service did not answer within ${this.timeoutMs} ms; retrying with the same Idempotency-Key is safe.`,
        );
      }
      throw error;
    }
  }

  private unreachable(name: string, error: Error): void {
    if (this.unreachableSince !== undefined) return;
    this.unreachableSince = Date.now();
    this.logger.warn(
      `the ${this.context} service at ${this.url} is not reachable (${name}: ${error.message}); answering 503 until it is`,
    );
  }

  private reachable(): void {
    if (this.unreachableSince === undefined) return;
    const seconds = ((Date.now() - this.unreachableSince) / 1000).toFixed(1);
    this.unreachableSince = undefined;
    this.logger.log(
      `the ${this.context} service at ${this.url} answers again (unreachable for ${seconds} s)`,
    );
  }
}
