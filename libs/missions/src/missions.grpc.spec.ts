/**
 * The missions context's contract on gRPC: the context served as the missions process serves it (its
 * MissionsService under the generated controller decorators, on an embedded store, projections in the
 * process), called through the client interface generated from proto/observa/missions/v1/missions.proto
 * and nothing else: every rpc, and errors as statuses whose google.rpc.Status details carry a Problem,
 * decoded with the generated code.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Metadata, status as Code, type ServiceError } from '@grpc/grpc-js';
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, type ClientGrpc, type MicroserviceOptions } from '@nestjs/microservices';
import { lastValueFrom, type Observable } from 'rxjs';
import { contextEndpoint, freePort, grpcOptions, RemoteContext } from '#contracts';
import { DomainRuleBroken, NotFound } from '#event-sourcing';
import {
  AppConfigModule,
  EventStoreModule,
  loadConfig,
  MetricsModule,
  ProjectionsModule,
  ReadModelsModule,
  ServiceUnavailable,
  ValidationFailed,
} from '#platform';
import { Status } from '#proto/google/rpc/status';
import { Problem, ProblemKind, type CommandContext } from '#proto/observa/common/v1/calls';
import {
  MISSIONS_SERVICE_NAME,
  type MissionsServiceClient,
  type MissionsServiceController,
} from '#proto/observa/missions/v1/missions';
import { MissionsModule } from './missions.module.js';
import { MissionsService } from './missions.service.js';

const config = loadConfig({ OBSERVA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });

@Module({
  imports: [
    AppConfigModule.forRoot(config),
    MetricsModule,
    EventStoreModule.forRoot(config),
    ReadModelsModule,
    ProjectionsModule.inProcess(),
    MissionsModule,
  ],
  controllers: [MissionsService],
})
class MissionsOnGrpc {}

const contextFor = (missionId: string, role = 'admin'): CommandContext => ({
  commandId: randomUUID(),
  missionId,
  actor: { userId: 'user-admin', role },
  correlationId: randomUUID(),
  causationId: randomUUID(),
  occurredAt: new Date().toISOString(),
});

const admin = {
  principal: {
    userId: 'user-admin',
    email: 'admin@example.org',
    platformRole: 'admin',
    missionRoles: {},
    rolesAsSets: false,
  },
  correlationId: 'contract-spec',
};

/** The Problem in the status details of a failed call. */
const problemIn = (error: ServiceError): Problem => {
  const [bytes] = error.metadata.get('grpc-status-details-bin');
  const status = Status.decode(bytes as Buffer);
  const detail = status.details.find((any) => any.typeUrl.endsWith('/observa.common.v1.Problem'));
  if (!detail) throw new Error(`no Problem in the status details of ${error.message}`);
  return Problem.decode(detail.value);
};

const failureOf = async (call: Observable<unknown>): Promise<ServiceError> => {
  try {
    await lastValueFrom(call);
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded');
};

describe('missions on gRPC, through the generated client', () => {
  let server: INestMicroservice;
  let client: ClientGrpc & { close(): void };
  let missions: MissionsServiceClient;
  let url: string;
  const missionId = randomUUID();
  const options = () => new Metadata();

  beforeAll(async () => {
    url = `127.0.0.1:${await freePort()}`;
    const endpoint = contextEndpoint('missions');
    server = await NestFactory.createMicroservice<MicroserviceOptions>(MissionsOnGrpc, {
      ...grpcOptions(endpoint, url),
      logger: false,
    });
    await server.listen();
    client = ClientProxyFactory.create(grpcOptions(endpoint, url, 'client')) as unknown as ClientGrpc & {
      close(): void;
    };
    missions = client.getService<MissionsServiceClient>(MISSIONS_SERVICE_NAME);
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('answers every command with what it wrote', async () => {
    const opened = await lastValueFrom(
      missions.openMission(
        {
          context: contextFor(missionId),
          name: 'Mission to Kyrgyzstan',
          organisation: 'CIS IPA',
          hostCountry: 'kg',
          election: { kind: 'presidential', date: '2024-01-14', rounds: 2 },
        },
        options(),
      ),
    );
    expect(opened).toEqual({
      id: missionId,
      streamVersion: '0',
      eventIds: [expect.any(String)],
      appended: true,
    });

    const ctx = () => contextFor(missionId);
    const written = [
      await lastValueFrom(
        missions.addDelegation({ context: ctx(), country: 'KZ', headOfDelegation: 'Yerlan' }, options()),
      ),
      await lastValueFrom(
        missions.addDelegation({ context: ctx(), country: 'UZ', headOfDelegation: 'Dilnoza' }, options()),
      ),
      await lastValueFrom(missions.removeDelegation({ context: ctx(), country: 'UZ' }, options())),
      await lastValueFrom(
        missions.grantStaffRole({ context: ctx(), userId: 'user-aizada', role: 'secretariat' }, options()),
      ),
      await lastValueFrom(
        missions.grantStaffRole({ context: ctx(), userId: 'user-bakyt', role: 'observer' }, options()),
      ),
      await lastValueFrom(
        missions.withdrawStaffRole({ context: ctx(), userId: 'user-bakyt', role: 'observer' }, options()),
      ),
    ];
    expect(written.map((reply) => reply.streamVersion)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(written.every((reply) => reply.id === missionId && reply.appended)).toBe(true);
  });

  it('answers the queries from the read model', async () => {
    const deadline = Date.now() + 10_000;
    let detail = (await lastValueFrom(missions.getMission({ context: admin, missionId }, options()))).mission;
    while (detail?.streamVersion !== '6' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      detail = (await lastValueFrom(missions.getMission({ context: admin, missionId }, options()))).mission;
    }
    expect(detail).toEqual({
      summary: {
        missionId,
        name: 'Mission to Kyrgyzstan',
        organisation: 'CIS IPA',
        hostCountry: 'KG',
        election: { kind: 'presidential', date: '2024-01-14', rounds: 2 },
        status: 'open',
      },
      delegations: [{ country: 'KZ', headOfDelegation: 'Yerlan' }],
      staff: [{ userId: 'user-aizada', roles: ['secretariat'] }],
      openedAt: expect.any(String),
      streamVersion: '6',
    });
    const page = await lastValueFrom(
      missions.listMissions({ context: admin, page: { limit: 10 } }, options()),
    );
    expect(page.items.map((item) => item.missionId)).toEqual([missionId]);
    expect(page.nextCursor).toBeUndefined();
  });

  it('closes the mission', async () => {
    const closed = await lastValueFrom(
      missions.closeMission({ context: contextFor(missionId), reason: 'final report' }, options()),
    );
    expect(closed).toMatchObject({ id: missionId, streamVersion: '7', appended: true });
  });

  it('answers a broken rule with FAILED_PRECONDITION and its Problem', async () => {
    const error = await failureOf(
      missions.addDelegation(
        { context: contextFor(missionId), country: 'TJ', headOfDelegation: 'X' },
        options(),
      ),
    );
    expect(error.code).toBe(Code.FAILED_PRECONDITION);
    expect(problemIn(error)).toEqual({
      kind: ProblemKind.PROBLEM_KIND_DOMAIN_RULE_BROKEN,
      detail: 'the mission is closed',
      errors: [],
    });
  });

  it('answers an unknown mission with NOT_FOUND and its Problem', async () => {
    const error = await failureOf(
      missions.getMission({ context: admin, missionId: randomUUID() }, options()),
    );
    expect(error.code).toBe(Code.NOT_FOUND);
    expect(problemIn(error).kind).toBe(ProblemKind.PROBLEM_KIND_NOT_FOUND);
  });

  it('answers a command without its context with INVALID_ARGUMENT and the fields missing', async () => {
    const error = await failureOf(missions.closeMission({}, options()));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    const problem = problemIn(error);
    expect(problem.kind).toBe(ProblemKind.PROBLEM_KIND_VALIDATION);
    expect(problem.errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['context.missionId', 'context.actor', 'context.occurredAt']),
    );
  });

  describe("the gateway's binding (RemoteContext.service)", () => {
    it('throws the named error each Problem stands for, as the problem filter maps it', async () => {
      const remote = new RemoteContext({ context: 'missions', url, timeoutMs: 10_000 });
      try {
        const gateway = remote.service<MissionsServiceController>(MISSIONS_SERVICE_NAME);
        await expect(gateway.getMission({ context: admin, missionId: randomUUID() })).rejects.toBeInstanceOf(
          NotFound,
        );
        await expect(
          gateway.addDelegation({ context: contextFor(missionId), country: 'TJ', headOfDelegation: 'X' }),
        ).rejects.toThrow(DomainRuleBroken);
        const invalid = await gateway.closeMission({}).catch((error: unknown) => error);
        expect(invalid).toBeInstanceOf(ValidationFailed);
        expect((invalid as ValidationFailed).errors.map((e) => e.field)).toContain('context.missionId');
      } finally {
        remote.close();
      }
    });

    it('answers 503 with a Retry-After when the context cannot be reached', async () => {
      const remote = new RemoteContext({
        context: 'missions',
        url: `127.0.0.1:${await freePort()}`,
        timeoutMs: 5_000,
      });
      try {
        const gateway = remote.service<MissionsServiceController>(MISSIONS_SERVICE_NAME);
        const error = await gateway.getMission({ context: admin, missionId }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ServiceUnavailable);
        expect((error as ServiceUnavailable).getStatus()).toBe(503);
        expect((error as ServiceUnavailable).retryAfterSeconds).toBeGreaterThan(0);
      } finally {
        remote.close();
      }
    });
  });
});
