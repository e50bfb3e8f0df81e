/**
 * The context's end of the gateway's calls: each request becomes its command or query object again and
 * runs on the process's own CommandBus/QueryBus, with the same handlers as standalone. Whatever a
 * handler throws is answered as a named failure, never as a gRPC error: the transport stays for
 * transport trouble.
 */
import { Controller, Inject, Logger, type Type } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GrpcMethod } from '@nestjs/microservices';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { HEALTH_TIMEOUT_MS, runWithCorrelationId } from '#platform';
import { decodeCommand, decodeQuery } from './contract-codec.js';
import { contractRegistry, type ContractRegistry } from './contract-registry.js';
import type { ContextEndpoint } from './grpc-endpoint.js';
import { failureOf, INTERNAL_ERROR } from './remote-errors.js';
import type { CommandRequest, HealthCheckResponse, QueryRequest, Reply } from './wire-messages.js';
import { toWireJson } from './wire-json.js';

const method = (type: Type, service: string, rpc: string, property: string): void => {
  const descriptor = Object.getOwnPropertyDescriptor(type.prototype, property)!;
  GrpcMethod(service, rpc)(type.prototype, property, descriptor);
};

/** A controller class for one context's service (its name comes from the proto file, hence built here). */
export const contextGrpcController = (
  context: string,
  endpoint: ContextEndpoint,
  registry: ContractRegistry = contractRegistry,
): Type => {
  @Controller()
  class ContextGrpcController {
    private readonly logger = new Logger(endpoint.service);

    constructor(
      @Inject(CommandBus) private readonly commandBus: CommandBus,
      @Inject(QueryBus) private readonly queryBus: QueryBus,
    ) {}

    execute(request: CommandRequest): Promise<Reply> {
      return this.reply(request.name, request.context?.correlationId, () =>
        this.commandBus.execute(decodeCommand(context, request, registry)),
      );
    }

    ask(request: QueryRequest): Promise<Reply> {
      return this.reply(request.name, request.correlationId, () =>
        this.queryBus.execute(decodeQuery(context, request, registry)),
      );
    }

    private reply(
      name: string,
      correlationId: string | undefined,
      work: () => Promise<unknown>,
    ): Promise<Reply> {
      const run = async (): Promise<Reply> => {
        const started = process.hrtime.bigint();
        // One line per call, as the gateway logs one per request: the correlation id ties them.
        const answered = (outcome: string) =>
          this.logger.log({
            msg: 'call answered',
            rpc: name,
            outcome,
            durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
          });
        try {
          const reply = { resultJson: toWireJson(await work()) };
          answered('ok');
          return reply;
        } catch (error) {
          const failure = failureOf(error);
          if (failure.name === INTERNAL_ERROR) this.logger.error({ msg: `${name} failed`, err: error });
          answered(failure.name);
          return { failure };
        }
      };
      return correlationId ? runWithCorrelationId(correlationId, run) : run();
    }
  }
  Object.defineProperty(ContextGrpcController, 'name', { value: `${endpoint.service}Controller` });
  method(ContextGrpcController, endpoint.service, 'Execute', 'execute');
  method(ContextGrpcController, endpoint.service, 'Ask', 'ask');
  return ContextGrpcController;
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
