/**
 * The distributed mode end to end, on real components: a tiny Counter context in its own host (gRPC
 * server, Postgres server, relay to Kafka, its own projection fed from its store) behind a gateway that has only
 * its controller, calling its typed service over gRPC. The same module also runs in-process, and both must
 * answer alike.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { freePort } from './one-process-platform.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Body,
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Param,
  Post,
  UseFilters,
  UseInterceptors,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { GrpcMethod } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsInt } from 'class-validator';
import pg from 'pg';
import request from 'supertest';
import { EntitySchema, type DataSource, type EntityManager } from 'typeorm';
import { CurrentPrincipal, Write, WriteReply, type Principal, type WriteContext } from '#auth';
import {
  CommandHandler as StreamCommands,
  DomainRuleBroken,
  EVENT_STORE,
  NotFound,
  type Decider,
  type EventStore,
  type RecordedEvent,
} from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import {
  AppConfigModule,
  createHttpApp,
  currentCorrelationId,
  EventStoreModule,
  loadConfig,
  MetricsModule,
  ProjectionHost,
  ProjectionsModule,
  ReadModelsModule,
  ReadModelTables,
  type AppConfig,
} from '#platform';
import { createTestDatabase, kafkaBrokers, uniqueName, type TestDatabase } from '#testing';
import type { CommandContext, QueryContext } from '#proto/observa/common/v1/calls';
import { commandContextMessageOf, queryContextMessageOf, writeReplyOf, type WriteReceipt } from './calls.js';
import type { ContextDefinition } from './context-definition.js';
import { contextHost, type ContextHost } from './context-host.js';
import { gatewayHost } from './gateway-host.js';
import { contextEndpoint } from './grpc-endpoint.js';
import { GrpcCorrelation, GrpcProblemFilter } from './grpc-problems.js';

// ---- the Counter context, written as a context author writes one ----

const CONTEXT = uniqueName('counter'); // its Kafka topic is new on the shared broker
const CATEGORY = 'tally';

type Tally = { readonly total: number };
type IncrementTally = { readonly type: 'Increment'; readonly by: number };
type TallyIncremented = { readonly type: 'Incremented'; readonly data: { readonly by: number } };

const LIMIT = 10;
const tally: Decider<Tally, IncrementTally, TallyIncremented> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command, state) => {
    if (command.by <= 0) throw new DomainRuleBroken('an increment must be positive');
    if (state.total + command.by > LIMIT)
      throw new DomainRuleBroken(`a tally stops at ${LIMIT}; it is at ${state.total}`);
    return [{ type: 'Incremented', data: { by: command.by } }];
  },
};

type TallyView = { readonly counterId: string; readonly total: number; readonly askedBy: string };

/** Its interface, as `npm run proto` would generate it from counterEndpoint's proto, with Promises. */
type IncrementRequest = { context?: CommandContext; counterId: string; by: number };
type TallyOfRequest = { context?: QueryContext; counterId: string };
type Counter = {
  increment(request: IncrementRequest): Promise<WriteReceipt>;
  tallyOf(request: TallyOfRequest): Promise<TallyView>;
};
const COUNTER = Symbol('Counter');

type TallyRow = { counterId: string; total: number };
const TallyRows = new EntitySchema<TallyRow>({
  name: 'TallyRow',
  tableName: 'tally_totals',
  columns: { counterId: { type: String, primary: true, name: 'counter_id' }, total: { type: Number } },
});

const talliesProjection: Projection = {
  name: 'tallies',
  categories: [CATEGORY],
  entities: [TallyRows],
  async apply(event: RecordedEvent, tx: EntityManager) {
    const counterId = event.streamId.slice(CATEGORY.length + 1);
    const rows = tx.getRepository(TallyRows);
    const row = await rows.findOneBy({ counterId });
    await rows.save({ counterId, total: (row?.total ?? 0) + Number(event.data.by) });
  },
  reset: (tx: EntityManager) => tx.clear(TallyRows),
};

/** Its interface bound to its use cases: the provider in-process, the gRPC controller in its process. */
@Controller()
@UseFilters(GrpcProblemFilter)
@UseInterceptors(GrpcCorrelation)
class CounterService implements Counter {
  private readonly streams: StreamCommands;
  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.streams = new StreamCommands(store);
  }

  @GrpcMethod('CounterService', 'increment')
  async increment({ context, counterId, by }: IncrementRequest): Promise<WriteReceipt> {
    const command: IncrementTally = { type: 'Increment', by };
    const written = await this.streams.handle(tally, `${CATEGORY}-${counterId}`, command, {
      ...(context?.commandId && { commandId: context.commandId }),
      ...(context?.actor && { actor: context.actor }),
      ...(context?.correlationId && { correlationId: context.correlationId }),
      ...(context?.causationId && { causationId: context.causationId }),
    });
    return {
      id: counterId,
      streamVersion: written.streamVersion.toString(),
      eventIds: [...written.eventIds],
      appended: written.appended,
    };
  }

  @GrpcMethod('CounterService', 'tallyOf')
  async tallyOf({ context, counterId }: TallyOfRequest): Promise<TallyView> {
    const row = await this.dataSource.getRepository(TallyRows).findOneBy({ counterId });
    if (!row) throw new NotFound(`there is no tally ${counterId}`);
    return { counterId, total: row.total, askedBy: context?.principal?.userId ?? '' };
  }
}

class IncrementBody {
  @IsInt() by!: number;
}

@Controller('tallies')
class TalliesController {
  constructor(@Inject(COUNTER) private readonly counter: Counter) {}

  @Post(':counterId/increments')
  async increment(
    @Param('counterId') counterId: string,
    @Body() body: IncrementBody,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return writeReplyOf(
      await this.counter.increment({ context: commandContextMessageOf(write), counterId, by: body.by }),
    );
  }

  @Get(':counterId')
  tally(@Param('counterId') counterId: string, @CurrentPrincipal() principal: Principal) {
    return this.counter.tallyOf({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      counterId,
    });
  }
}

@Module({
  imports: [
    ReadModelTables.forFeature([TallyRows], {
      owner: 'tally-read-model',
      migrations: [
        {
          version: 1,
          name: 'tally_totals',
          sql: 'CREATE TABLE tally_totals (counter_id varchar PRIMARY KEY, total integer NOT NULL)',
        },
      ],
    }),
  ],
  controllers: [TalliesController],
  providers: [{ provide: COUNTER, useClass: CounterService }],
})
class CounterModule implements OnModuleInit {
  constructor(@Inject(ProjectionHost) private readonly projections: ProjectionHost) {}
  onModuleInit(): void {
    this.projections.register(talliesProjection);
  }
}

const counterContext: ContextDefinition = {
  name: CONTEXT,
  module: CounterModule,
  service: { token: COUNTER, name: 'CounterService', controller: CounterService },
  categories: [CATEGORY],
};

/** Its gRPC service, as proto/observa/<context>/v1/<context>.proto would declare it. */
const counterEndpoint = () => {
  const dir = mkdtempSync(join(tmpdir(), 'observa-counter-proto-'));
  mkdirSync(join(dir, 'observa', 'counter', 'v1'), { recursive: true });
  writeFileSync(
    join(dir, 'observa', 'counter', 'v1', 'counter.proto'),
    `syntax = "proto3";
package observa.counter.v1;
import "observa/common/v1/calls.proto";
service CounterService {
  rpc Increment(IncrementRequest) returns (IncrementResponse);
  rpc TallyOf(TallyOfRequest) returns (TallyOfResponse);
}
message IncrementRequest {
  observa.common.v1.CommandContext context = 1;
  string counter_id = 2;
  int32 by = 3;
}
message IncrementResponse {
  string id = 1;
  int64 stream_version = 2;
  repeated string event_ids = 3;
  bool appended = 4;
}
message TallyOfRequest {
  observa.common.v1.QueryContext context = 1;
  string counter_id = 2;
}
message TallyOfResponse {
  string counter_id = 1;
  int32 total = 2;
  string asked_by = 3;
}
`,
  );
  return contextEndpoint('counter', [dir]);
};

// ---- not what this spec is about ----

const PRINCIPAL: Principal = { userId: 'user-1', email: 'secretariat@example.org', missionRoles: new Map() };

/** Stand-in for the auth guard (identity is another context): every request is PRINCIPAL's. */
@Injectable()
class StandInPrincipal implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest<{ principal?: Principal }>().principal = PRINCIPAL;
    return true;
  }
}
@Module({ providers: [{ provide: APP_GUARD, useClass: StandInPrincipal }] })
class StandInAuthModule {}

/** The same context in one process, as the standalone app hosts contexts. */
const inProcessModule = (config: AppConfig): DynamicModule => {
  @Module({})
  class InProcessCounter {}
  return {
    module: InProcessCounter,
    imports: [
      AppConfigModule.forRoot(config),
      MetricsModule,
      EventStoreModule.forRoot(config),
      ReadModelsModule,
      ProjectionsModule.inProcess(),
      StandInAuthModule,
      CounterModule,
    ],
  };
};

const eventually = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('a context in its own process behind the gateway (gRPC, Postgres, Kafka)', () => {
  const databases: TestDatabase[] = [];
  let context: ContextHost;
  let gateway: NestExpressApplication;
  let inProcess: NestExpressApplication;

  beforeAll(async () => {
    const brokers = (await kafkaBrokers()).join(',');
    const [contextDb, inProcessDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    databases.push(contextDb, inProcessDb);
    const endpoint = counterEndpoint();
    const grpcUrl = `127.0.0.1:${await freePort()}`;

    context = await contextHost(counterContext, {
      config: loadConfig({ DATABASE_URL: contextDb.url, KAFKA_BROKERS: brokers, LOG_LEVEL: 'silent' }),
      grpcUrl,
      endpoint,
      groupPrefix: `${uniqueName('spec')}.`,
    });
    await context.start(0, '127.0.0.1');

    gateway = await gatewayHost({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      contexts: [{ definition: counterContext, url: grpcUrl, endpoint }],
      identity: false,
      imports: [StandInAuthModule],
    });
    await gateway.listen(0, '127.0.0.1');

    const standalone = loadConfig({ DATABASE_URL: inProcessDb.url, LOG_LEVEL: 'silent' });
    inProcess = await createHttpApp(inProcessModule(standalone), standalone);
    await inProcess.listen(0, '127.0.0.1');
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await context?.close();
    await inProcess?.close();
    await Promise.all(databases.map((database) => database.drop()));
  });

  const both = async (send: (app: NestExpressApplication) => request.Test) => {
    const [remote, local] = await Promise.all([send(gateway), send(inProcess)]);
    return { remote, local };
  };

  it('runs a command in the context process and answers what the same module answers in-process', async () => {
    const increment = (app: NestExpressApplication) =>
      request(app.getHttpServer())
        .post('/api/v1/tallies/t1/increments')
        .set('Idempotency-Key', 'first')
        .send({ by: 2 });

    const { remote, local } = await both(increment);

    expect(remote.status).toBe(201);
    expect(remote.body).toMatchObject({ id: 't1', streamVersion: '0', appended: true });
    expect(remote.body).toEqual(local.body);

    const retried = await increment(gateway);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual({ ...remote.body, appended: false });
  });

  it('shows the command in the read model, fed from the context’s own store, to a query asked over gRPC', async () => {
    const view = await eventually(async () => {
      const response = await request(gateway.getHttpServer()).get('/api/v1/tallies/t1');
      return response.status === 200 ? response.body : undefined;
    });

    expect(view).toEqual({ counterId: 't1', total: 2, askedBy: 'user-1' });
    // A context's own view moves a checkpoint in its store (DESIGN.md §3): no broker, so no inbox.
    const client = new pg.Client({ connectionString: databases[0].url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM observa_checkpoints WHERE name = 'tallies'",
      );
      expect(rows[0].n).toBe(1);
      const { rows: inbox } = await client.query("SELECT to_regclass('observa_inbox') IS NULL AS absent");
      expect(inbox[0].absent).toBe(true);
    } finally {
      await client.end();
    }
  });

  it('answers a broken domain rule with the same 422 problem+json as in-process', async () => {
    const { remote, local } = await both((app) =>
      request(app.getHttpServer())
        .post('/api/v1/tallies/t2/increments')
        .set('x-correlation-id', 'same-in-both-modes')
        .send({ by: -1 }),
    );

    expect(remote.status).toBe(422);
    expect(remote.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(remote.body).toEqual({
      type: 'urn:observa:problem:domain-rule-broken',
      title: 'Domain rule broken',
      status: 422,
      detail: 'an increment must be positive',
      instance: '/api/v1/tallies/t2/increments',
      correlationId: 'same-in-both-modes',
    });
    expect(remote.body).toEqual(local.body);
  });

  it('answers a query for nothing with the same 404 problem+json as in-process', async () => {
    const { remote, local } = await both((app) =>
      request(app.getHttpServer())
        .get('/api/v1/tallies/nobody')
        .set('x-correlation-id', 'same-in-both-modes'),
    );

    expect(remote.status).toBe(404);
    expect(remote.body).toMatchObject({
      type: 'urn:observa:problem:not-found',
      detail: 'there is no tally nobody',
    });
    expect(remote.body).toEqual(local.body);
  });

  it('reports the context healthy at the gateway and at its own /health', async () => {
    const atGateway = await request(gateway.getHttpServer()).get('/health');
    expect(atGateway.status).toBe(200);
    expect(atGateway.body).toMatchObject({ status: 'ok', contexts: [{ context: CONTEXT, status: 'ok' }] });

    const atContext = await request(context.operations.url).get('/health');
    expect(atContext.status).toBe(200);
    expect(atContext.body).toMatchObject({ status: 'ok', store: { kind: 'postgres' } });
  });

  it('answers 503 with Retry-After, not 500, once the context process is gone', async () => {
    await context.close();

    const command = await request(gateway.getHttpServer())
      .post('/api/v1/tallies/t1/increments')
      .send({ by: 1 });
    expect(command.status).toBe(503);
    expect(command.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(command.headers['retry-after']).toBe('1'); // the channel reconnects at least that often
    expect(command.body).toMatchObject({
      type: 'urn:observa:problem:service-unavailable',
      status: 503,
      detail: expect.stringMatching(/not reachable; try again in 1 s/),
    });

    const health = await request(gateway.getHttpServer()).get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'down', contexts: [{ context: CONTEXT, status: 'down' }] });
  });
});
