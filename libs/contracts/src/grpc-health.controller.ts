/** grpc.health.v1.Health/Check on every context process: serving while its event store answers. */
import { Controller, Inject, Logger } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { HEALTH_TIMEOUT_MS } from '#platform';
import type { Observable } from 'rxjs';

/** grpc.health.v1 as @grpc/proto-loader hands it over (its enum as a string): written by hand. */
export type HealthCheckResponse = { status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' };

export type HealthService = {
  check(request: { service: string }, options?: { deadline: Date }): Observable<HealthCheckResponse>;
};

const withTimeout = <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
};

/** grpc.health.v1.Health/Check: serving while the event store answers (Kubernetes probes, the gateway's /health). */
@Controller()
export class GrpcHealthController {
  private readonly logger = new Logger('GrpcHealth');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @GrpcMethod('Health', 'Check')
  async check(): Promise<HealthCheckResponse> {
    try {
      await withTimeout(this.store.headPosition(), HEALTH_TIMEOUT_MS);
      return { status: 'SERVING' };
    } catch (error) {
      this.logger.warn(`event store is down: ${(error as Error).message}`);
      return { status: 'NOT_SERVING' };
    }
  }
}
