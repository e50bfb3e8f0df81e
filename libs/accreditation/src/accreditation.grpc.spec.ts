/**
 * The accreditation context's contract on gRPC: the context served as the accreditation process serves it
 * (its AccreditationService as the gRPC controller, on an embedded store, projections in the process),
 * called through the client interface generated from proto/observa/accreditation/v1/accreditation.proto
 * and nothing else: every rpc, and errors as statuses whose google.rpc.Status details carry a Problem,
 * decoded with the generated code.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Metadata, status as Code, type ServiceError } from '@grpc/grpc-js';
import { ConflictException, type INestMicroservice } from '@nestjs/common';
import { ClientProxyFactory, type ClientGrpc, type MicroserviceOptions } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { lastValueFrom, type Observable } from 'rxjs';
import { contextEndpoint, freePort, grpcOptions, RemoteContext } from '#contracts';
import { NotFound } from '#event-sourcing';
import {
  AppConfigModule,
  EventStoreModule,
  loadConfig,
  MetricsModule,
  ProjectionsModule,
  ReadModelsModule,
  ValidationFailed,
} from '#platform';
import { Status } from '#proto/google/rpc/status';
import {
  ACCREDITATION_SERVICE_NAME,
  type AccreditationServiceClient,
  type AccreditationServiceController,
  type ApplicationView,
} from '#proto/observa/accreditation/v1/accreditation';
import { Problem, ProblemKind, type CommandContext } from '#proto/observa/common/v1/calls';
import { AccreditationModule } from './accreditation.module.js';
import { AccreditationService } from './accreditation.service.js';
import { ACCREDITATION_CLOCK } from './clock.js';
import { anna, applicant, kyrgyzCall } from './domain/application.examples.js';
import type { PersonalData } from './domain/application.js';
import { personMessageOf } from './submit-application/person.message.js';

const config = loadConfig({ OBSERVA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
const missionId = randomUUID();
let clock = new Date('2023-10-01T09:00:00Z');

const contextFor = (mission = missionId): CommandContext => ({
  commandId: randomUUID(),
  missionId: mission,
  actor: { userId: 'user-secretariat', role: 'secretariat' },
  correlationId: randomUUID(),
  causationId: randomUUID(),
  occurredAt: clock.toISOString(),
});

const asked = {
  principal: {
    userId: 'user-secretariat',
    email: 'secretariat@example.org',
    missionRoles: { [missionId]: { roles: ['secretariat'] } },
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

const eventually = async <T>(check: () => Promise<T>): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};

const written = expect.objectContaining({ eventIds: [expect.any(String)], appended: true });

describe('accreditation on gRPC, through the generated client', () => {
  let server: INestMicroservice;
  let client: ClientGrpc & { close(): void };
  let accreditation: AccreditationServiceClient;
  let url: string;
  const options = () => new Metadata();
  const call = <T>(reply: Observable<T>) => lastValueFrom(reply);

  const submit = async (person: PersonalData) =>
    (
      await call(
        accreditation.submitApplication(
          { context: contextFor(), delegation: 'DE', role: 'LTO', person: personMessageOf(person) },
          options(),
        ),
      )
    ).id;
  const application = (applicationId: string) =>
    call(accreditation.getApplication({ context: asked, missionId, applicationId }, options()));
  const until = (applicationId: string, status: string): Promise<ApplicationView> =>
    eventually(async () => {
      const found = (await application(applicationId)).application!;
      if (found.status !== status) throw new Error(`${applicationId} is ${found.status}`);
      return found;
    });
  /** Screened against the Kyrgyz call, approved, and asked of the host body. */
  const requested = async (applicationId: string) => {
    const request = () => ({ context: contextFor(), applicationId });
    await call(accreditation.screenApplication({ ...request(), ruleSetId: kyrgyzCall.id }, options()));
    await call(accreditation.approveApplication({ ...request(), reason: 'complete' }, options()));
    await call(accreditation.requestAccreditation({ ...request(), hostBody: 'CEC' }, options()));
  };
  const grant = (applicationId: string, badgeNumber: string) =>
    accreditation.grantAccreditation(
      {
        context: contextFor(),
        applicationId,
        badgeNumber,
        validFrom: '2023-11-01T00:00:00Z',
        validTo: '2023-12-15T00:00:00Z',
        conditions: ['no photos in polling stations'],
      },
      options(),
    );

  beforeAll(async () => {
    url = `127.0.0.1:${await freePort()}`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot(config),
        MetricsModule,
        EventStoreModule.forRoot(config),
        ReadModelsModule,
        ProjectionsModule.inProcess(),
        AccreditationModule,
      ],
      controllers: [AccreditationService],
    })
      .overrideProvider(ACCREDITATION_CLOCK)
      .useValue(() => clock)
      .compile();
    const endpoint = contextEndpoint('accreditation');
    server = moduleRef.createNestMicroservice<MicroserviceOptions>({
      ...grpcOptions(endpoint, url),
      logger: false,
    });
    await server.listen();
    client = ClientProxyFactory.create(grpcOptions(endpoint, url, 'client')) as unknown as ClientGrpc & {
      close(): void;
    };
    accreditation = client.getService<AccreditationServiceClient>(ACCREDITATION_SERVICE_NAME);
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('publishes a rule set and lists it', async () => {
    const published = await call(
      accreditation.publishRuleSet(
        { context: contextFor(), ruleSetJson: JSON.stringify({ ...kyrgyzCall, missionId }) },
        options(),
      ),
    );
    expect(published).toEqual({
      id: kyrgyzCall.id,
      streamVersion: '0',
      eventIds: [expect.any(String)],
      appended: true,
    });
    const listed = await eventually(async () => {
      const page = await call(
        accreditation.listRuleSets({ context: asked, missionId, page: { limit: 10 } }, options()),
      );
      if (page.ruleSetsJson.length === 0) throw new Error('not yet');
      return page;
    });
    expect(listed.ruleSetsJson.map((json) => JSON.parse(json) as unknown)).toEqual([
      { ...kyrgyzCall, missionId },
    ]);
    expect(listed.nextCursor).toBeUndefined();
  });

  it('runs an application through every step, and answers the views', async () => {
    const id = await submit(anna);
    await requested(id);
    expect(await call(grant(id, 'KG-0001'))).toMatchObject({ id, appended: true });
    const step = () => ({ context: contextFor(), applicationId: id });
    const steps = [
      await call(accreditation.suspendAccreditation({ ...step(), reason: 'absent' }, options())),
      await call(accreditation.reinstateAccreditation(step(), options())),
    ];
    expect(steps).toEqual([written, written]);
    const granted = await until(id, 'granted');
    expect(granted).toMatchObject({
      applicationId: id,
      missionId,
      delegation: 'DE',
      role: 'LTO',
      person: { erased: false, givenName: 'Anna', familyName: 'Schmidt', languages: ['de', 'en', 'ru'] },
      screening: { ruleSetId: kyrgyzCall.id, passed: true, failures: [] },
      badge: { number: 'KG-0001', conditions: ['no photos in polling stations'] },
    });
    const badge = await call(
      accreditation.findBadge({ context: asked, missionId, badgeNumber: 'kg-0001' }, options()),
    );
    expect(badge.application?.applicationId).toBe(id);
    const observers = await call(
      accreditation.listObservers(
        { context: asked, missionId, delegation: 'de', page: { limit: 10 } },
        options(),
      ),
    );
    expect(observers.items.map((item) => item.applicationId)).toEqual([id]);

    await call(accreditation.revokeAccreditation({ ...step(), reason: 'left' }, options()));
    await until(id, 'revoked');
    const erased = await call(
      accreditation.erasePerson({ context: contextFor(), personId: granted.personId }, options()),
    );
    expect(erased).toMatchObject({ id: granted.personId, appended: true });
    const gone = await eventually(async () => {
      const found = (await application(id)).application!;
      if (!found.person?.erased) throw new Error('not yet erased');
      return found;
    });
    expect(gone.person).toEqual({ erased: true, contacts: [], languages: [] });
  });

  it('rejects, refuses and expires', async () => {
    const person = (number: string) =>
      applicant({ identityDocument: { kind: 'passport', number, issuingCountry: 'DE' } });
    const rejected = await submit(person('R1'));
    await call(
      accreditation.screenApplication(
        { context: contextFor(), applicationId: rejected, ruleSetId: kyrgyzCall.id },
        options(),
      ),
    );
    expect(
      await call(
        accreditation.rejectApplication(
          { context: contextFor(), applicationId: rejected, reason: 'late' },
          options(),
        ),
      ),
    ).toEqual(written);
    const refused = await submit(person('R2'));
    await requested(refused);
    expect(
      await call(
        accreditation.refuseAccreditation(
          { context: contextFor(), applicationId: refused, reason: 'no' },
          options(),
        ),
      ),
    ).toEqual(written);
    const expiring = await submit(person('R3'));
    await requested(expiring);
    await call(grant(expiring, 'KG-0003'));
    clock = new Date('2023-12-16T00:00:00Z');
    try {
      expect(
        await call(
          accreditation.expireAccreditation({ context: contextFor(), applicationId: expiring }, options()),
        ),
      ).toEqual(written);
    } finally {
      clock = new Date('2023-10-01T09:00:00Z');
    }
    const page = await eventually(async () => {
      const listed = await call(
        accreditation.listApplications(
          { context: asked, missionId, status: 'expired', page: { limit: 10 } },
          options(),
        ),
      );
      if (listed.items.length === 0) throw new Error('not yet');
      return listed;
    });
    expect(page.items.map((item) => item.applicationId)).toEqual([expiring]);
    expect((await until(rejected, 'rejected')).reason).toBe('late');
  });

  it('imports a list as an import job, and answers the job', async () => {
    const csv = [
      'given_name,family_name,date_of_birth,nationality,document_number,languages,role,delegation,conflicts_of_interest',
      'Ewa,Nowak,1990-01-02,PL,PL900102,pl;en,sto,PL,none',
    ].join('\r\n');
    const { job } = await call(
      accreditation.importApplications(
        { context: contextFor(), format: 'csv', content: Buffer.from(csv) },
        options(),
      ),
    );
    expect(job).toMatchObject({ missionId, state: 'queued', progress: { done: 0, total: 1 } });
    const done = await eventually(async () => {
      const now = (
        await call(accreditation.getImportJob({ context: asked, missionId, jobId: job!.id }, options()))
      ).job!;
      if (now.state !== 'done') throw new Error(`the job is ${now.state}`);
      return now;
    });
    expect(done.report).toMatchObject({ created: 1, unchanged: 0, refused: 0 });
    // toMatchObject: the loader adds `_applicationId`, its name for the field's presence.
    expect(done.report!.rows).toMatchObject([
      { row: 2, status: 'created', applicationId: expect.any(String), errors: [] },
    ]);
  });

  it('answers a badge number another observer holds with ALREADY_EXISTS and a CONFLICT Problem', async () => {
    const first = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'C1', issuingCountry: 'DE' } }),
    );
    const second = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'C2', issuingCountry: 'DE' } }),
    );
    await requested(first);
    await requested(second);
    await call(grant(first, 'KG-0100'));
    const error = await failureOf(grant(second, 'KG-0100'));
    expect(error.code).toBe(Code.ALREADY_EXISTS);
    expect(problemIn(error)).toMatchObject({ kind: ProblemKind.PROBLEM_KIND_CONFLICT });
  });

  it('answers an invalid rule set with INVALID_ARGUMENT, naming every problem', async () => {
    const error = await failureOf(
      accreditation.publishRuleSet(
        { context: contextFor(), ruleSetJson: JSON.stringify({ id: '', version: 1, rules: [] }) },
        options(),
      ),
    );
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    const problem = problemIn(error);
    expect(problem.kind).toBe(ProblemKind.PROBLEM_KIND_VALIDATION);
    expect(problem.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['id', 'rules']));
  });

  it('answers a command without its context with INVALID_ARGUMENT and the fields missing', async () => {
    const error = await failureOf(accreditation.expireAccreditation({ applicationId: 'x' }, options()));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(problemIn(error).errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['context.missionId', 'context.actor', 'context.commandId']),
    );
  });

  describe("the gateway's binding (RemoteContext.service)", () => {
    it('throws the named error each Problem stands for, as the problem filter maps it', async () => {
      const remote = new RemoteContext({ context: 'accreditation', url, timeoutMs: 10_000 });
      try {
        const gateway = remote.service<AccreditationServiceController>(ACCREDITATION_SERVICE_NAME);
        await expect(
          gateway.getApplication({ context: asked, missionId, applicationId: 'nobody' }),
        ).rejects.toBeInstanceOf(NotFound);
        const third = await submit(
          applicant({ identityDocument: { kind: 'passport', number: 'C3', issuingCountry: 'DE' } }),
        );
        await requested(third);
        const taken = await gateway
          .grantAccreditation({
            context: contextFor(),
            applicationId: third,
            badgeNumber: 'KG-0100',
            validFrom: '2023-11-01T00:00:00Z',
            validTo: '2023-12-15T00:00:00Z',
            conditions: [],
          })
          .catch((error: unknown) => error);
        expect(taken).toBeInstanceOf(ConflictException);
        const invalid = await gateway
          .publishRuleSet({ context: contextFor(), ruleSetJson: '{' })
          .catch((error: unknown) => error);
        expect(invalid).toBeInstanceOf(ValidationFailed);
      } finally {
        remote.close();
      }
    });
  });
});
