/**
 * The accreditation module as the routes and the gRPC controller use it: its interface (ACCREDITATION),
 * on a real embedded PGlite store with its read models fed in process. No HTTP here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  AppConfigModule,
  EventStoreModule,
  loadConfig,
  MetricsModule,
  ProjectionsModule,
  ReadModelsModule,
} from '#platform';
import {
  CommandHandler,
  DomainRuleBroken,
  EVENT_STORE,
  IdempotencyMismatch,
  NotFound,
  PERSONAL_DATA_VAULT,
  type EventStore,
  type PostgresPersonalDataVault,
} from '#event-sourcing';
import { anna, applicant, kyrgyzCall, missionId } from './domain/application.examples.js';
import { kazakhstan2020ObserverDocuments, kyrgyzstan2023LtoCall } from './domain/rule-sets.js';
import { ACCREDITATION_CLOCK } from './clock.js';
import { AccreditationModule } from './accreditation.module.js';
import { ACCREDITATION, type Accreditation } from './accreditation.contract.js';
import { badgeDecider, BadgeNumberTaken } from './domain/badge.js';
import { InvalidRuleSet } from './index.js';
import {
  type ApplicationStep,
} from './index.js';
import { personMessageOf } from './submit-application/person.message.js';
import { importJobViewOf } from './imports/import-job.message.js';
import { takeStep } from './rpc-calls.spec-support.js';
import { applicationStream, badgeStream } from './identities.js';
import {
  accreditationProjection,
  ApplicationRow,
  toView,
} from './applications-view/applications.projection.js';
import type { ApplicationView, RuleSet } from './index.js';
import { applicationViewOf, pageOf } from './applications-view/application.message.js';

const otherMission = 'mission-kz-2020';
let clock = new Date('2023-10-01T09:00:00Z');
let commands = 0;
/** A command's context as its rpc carries it. */
const commandContext = (commandId = `command-${++commands}`, mission = missionId) => ({
  commandId,
  missionId: mission,
  actor: { userId: 'user-secretariat', role: 'secretariat' },
  correlationId: 'spec',
  causationId: commandId,
  occurredAt: clock.toISOString(),
});

/** Who asks, as a query rpc carries it. */
const asked = { correlationId: 'spec' };

const eventually = async <T>(check: () => Promise<T>): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
};

describe('accreditation module (PGlite, buses)', () => {
  let moduleRef: TestingModule;
  let accreditation: Accreditation;
  let store: EventStore;

  const view = (applicationId: string, mission = missionId) =>
    accreditation
      .getApplication({ context: asked, missionId: mission, applicationId })
      .then(({ application }) => applicationViewOf(application));
  const until = (applicationId: string, ready: (v: ApplicationView) => boolean) =>
    eventually(async () => {
      const v = await view(applicationId);
      if (!ready(v)) throw new Error(`application ${applicationId} is ${v.status}`);
      return v;
    });
  const step = (applicationId: string, s: ApplicationStep) =>
    takeStep(accreditation, commandContext(), applicationId, s);
  const submit = async (person = anna, delegation = 'DE') =>
    (
      await accreditation.submitApplication({
        context: commandContext(),
        delegation,
        role: 'LTO',
        person: personMessageOf(person),
      })
    ).id;
  const toRequested = async (applicationId: string) => {
    await accreditation.screenApplication({
      context: commandContext(),
      applicationId,
      ruleSetId: kyrgyzCall.id,
    });
    await step(applicationId, { type: 'ApproveApplication' });
    await step(applicationId, { type: 'RequestAccreditation', hostBody: 'CEC of the Kyrgyz Republic' });
  };
  const publish = (ruleSet: unknown) =>
    accreditation.publishRuleSet({ context: commandContext(), ruleSetJson: JSON.stringify(ruleSet) });
  const grant = (applicationId: string, badgeNumber: string, validTo = '2023-12-15T00:00:00Z') =>
    accreditation.grantAccreditation({
      context: commandContext(),
      applicationId,
      badgeNumber,
      validFrom: '2023-11-01T00:00:00Z',
      validTo,
      conditions: [],
    });

  beforeAll(async () => {
    const config = loadConfig({ OBSERVA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
    moduleRef = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot(config),
        MetricsModule,
        EventStoreModule.forRoot(config),
        ReadModelsModule,
        ProjectionsModule.inProcess(),
        AccreditationModule,
      ],
    })
      .overrideProvider(ACCREDITATION_CLOCK)
      .useValue(() => clock)
      .compile();
    await moduleRef.init();
    accreditation = moduleRef.get(ACCREDITATION);
    store = moduleRef.get(EVENT_STORE);
    await publish(kyrgyzCall);
  });
  afterAll(() => moduleRef?.close());

  it('names every problem of a rule set, and takes a missing missionId from the mission', async () => {
    const refused = publish({ id: '', version: 1, rules: [] });
    await expect(refused).rejects.toBeInstanceOf(InvalidRuleSet);
    await expect(refused).rejects.toMatchObject({
      problems: expect.arrayContaining([
        { at: 'id', problem: 'must be a non-empty text' },
        { at: 'rules', problem: 'must list at least one rule' },
      ]),
    });
    const { missionId: _ignored, ...withoutMission } = kazakhstan2020ObserverDocuments(missionId);
    await publish(withoutMission);
    await expect(
      publish(kyrgyzstan2023LtoCall(otherMission)),
    ).rejects.toBeInstanceOf(InvalidRuleSet);
    const listed = await eventually(async () => {
      const reply = await accreditation.listRuleSets({ context: asked, missionId, page: { limit: 50 } });
      const { items: sets, nextCursor } = pageOf(
        { ...reply, items: reply.ruleSetsJson },
        (json: string) => JSON.parse(json) as RuleSet,
      );
      if (sets.length < 2) throw new Error('not yet');
      expect(nextCursor).toBeNull();
      return sets;
    });
    expect(listed.map((r) => r.id)).toEqual(['kg-2023-parliamentary-lto', 'kz-2021-parliamentary-documents']);
  });

  it('refuses to rewrite a published version: a change is the next version', async () => {
    const changed = { ...kyrgyzCall, rules: [{ kind: 'must-be-non-partisan' as const }] };
    await expect(
      publish(changed),
    ).rejects.toBeInstanceOf(DomainRuleBroken);
  });

  it('runs an application from submission to expiry, one event per step', async () => {
    const id = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'X100', issuingCountry: 'DE' } }),
    );
    await toRequested(id);
    await grant(id, 'B-100');
    clock = new Date('2023-12-16T00:00:00Z');
    await step(id, { type: 'ExpireAccreditation' });
    const expired = await until(id, (v) => v.status === 'expired');
    expect(expired.badge).toEqual({
      number: 'B-100',
      validFrom: '2023-11-01T00:00:00Z',
      validTo: '2023-12-15T00:00:00Z',
      conditions: [],
    });
    clock = new Date('2023-10-01T09:00:00Z');
    const types = (await store.readStream(applicationStream(id))).map((e) => e.type);
    expect(types).toEqual([
      'ApplicationSubmitted',
      'EligibilityScreened',
      'ApplicationApproved',
      'AccreditationRequested',
      'AccreditationGranted',
      'AccreditationExpired',
    ]);
  });

  it('records a refusal by the host body', async () => {
    const id = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'X200', issuingCountry: 'DE' } }),
    );
    await toRequested(id);
    await step(id, { type: 'RefuseAccreditation', reason: 'quota of observers reached' });
    expect(await until(id, (v) => v.status === 'refused')).toMatchObject({
      reason: 'quota of observers reached',
    });
  });

  it('answers a retried command with what it wrote, and refuses its id for another request', async () => {
    const person = applicant({
      identityDocument: { kind: 'passport', number: 'X300', issuingCountry: 'DE' },
    });
    const first = await accreditation.submitApplication({ context: commandContext('retry-1'), delegation: 'DE', role: 'LTO', person: personMessageOf(person) });
    const again = await accreditation.submitApplication({ context: commandContext('retry-1'), delegation: 'DE', role: 'LTO', person: personMessageOf(person) });
    expect(again).toEqual({ ...first, appended: false });
    await expect(
      accreditation.submitApplication({ context: commandContext('retry-1'), delegation: 'FR', role: 'LTO', person: personMessageOf(person) }),
    ).rejects.toBeInstanceOf(IdempotencyMismatch);
  });

  it('keeps a badge number to one observer of the mission, even before the read models know', async () => {
    const first = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'X400', issuingCountry: 'DE' } }),
    );
    const second = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'X401', issuingCountry: 'DE' } }),
    );
    await toRequested(first);
    await toRequested(second);
    await grant(first, 'B-400');
    await expect(grant(second, ' B-400 ')).rejects.toBeInstanceOf(BadgeNumberTaken);
    // A grant the application cannot take reserves nothing.
    const third = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'X402', issuingCountry: 'DE' } }),
    );
    await expect(grant(third, 'B-401')).rejects.toBeInstanceOf(DomainRuleBroken);
    await grant(second, 'B-401');
  });

  describe('a badge reservation, when the grant does not happen', () => {
    const requested = async (document: string) => {
      const id = await submit(
        applicant({ identityDocument: { kind: 'passport', number: document, issuingCountry: 'DE' } }),
      );
      await toRequested(id);
      return id;
    };
    const holderOf = async (number: string) =>
      (await new CommandHandler(store).load(badgeDecider, badgeStream(missionId, number))).state;
    /** What the grant appends first, as if the process then died before the application's grant. */
    const reservedThenCrashed = (applicationId: string, badgeNumber: string) =>
      new CommandHandler(store).handle(badgeDecider, badgeStream(missionId, badgeNumber), {
        type: 'ReserveBadge',
        missionId,
        badgeNumber,
        applicationId,
        at: clock.toISOString(),
      });

    it('keeps no number for the grants that lost the race for one application', async () => {
      const contested = await requested('RB500');
      const numbers = ['R-501', 'R-502', 'R-503', 'R-504', 'R-505', 'R-506'];
      const outcomes = await Promise.allSettled(numbers.map((n) => grant(contested, n)));
      const won = numbers.filter((_, i) => outcomes[i].status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(DomainRuleBroken);
      expect(await holderOf(won[0])).toBe(contested);
      const lost = numbers.filter((n) => n !== won[0]);
      for (const n of lost) expect(await holderOf(n)).toBeNull();
      // Another observer can be granted any of the numbers that were refused.
      const other = await requested('RB507');
      await grant(other, lost[0]);
      expect(await holderOf(lost[0])).toBe(other);
    });

    it('holds the number for its application after a crash between the two appends: its retry succeeds', async () => {
      const crashed = await requested('RB510');
      const other = await requested('RB511');
      await reservedThenCrashed(crashed, 'R-510');
      // The holder's grant may still happen: nobody else gets the number meanwhile.
      await expect(grant(other, 'R-510')).rejects.toBeInstanceOf(BadgeNumberTaken);
      const retried = await grant(crashed, 'r-510');
      expect(retried.appended).toBe(true);
      expect((await until(crashed, (v) => v.status === 'granted')).badge?.number).toBe('R-510');
      expect((await store.readStream(badgeStream(missionId, 'R-510'))).map((e) => e.type)).toEqual([
        'BadgeReserved',
      ]);
    });

    it('lets another application take a number whose grant never happened', async () => {
      const crashed = await requested('RB520');
      const other = await requested('RB521');
      await reservedThenCrashed(crashed, 'R-520');
      // The holder is granted another number: its reservation of R-520 can never become a grant.
      await grant(crashed, 'R-529');
      await grant(other, 'R-520');
      expect(await holderOf('R-520')).toBe(other);
      expect((await store.readStream(badgeStream(missionId, 'R-520'))).map((e) => e.type)).toEqual([
        'BadgeReserved',
        'BadgeReleased',
        'BadgeReserved',
      ]);
      // And the first holder cannot come back for it.
      const third = await requested('RB522');
      await expect(grant(third, 'R-520')).rejects.toBeInstanceOf(BadgeNumberTaken);
    });
  });

  it("hides one mission's applications from another", async () => {
    const id = await submit(
      applicant({ identityDocument: { kind: 'passport', number: 'X500', issuingCountry: 'DE' } }),
    );
    await expect(
      accreditation.approveApplication({ context: commandContext(undefined, otherMission), applicationId: id }),
    ).rejects.toBeInstanceOf(NotFound);
    await until(id, () => true);
    await expect(view(id, otherMission)).rejects.toBeInstanceOf(NotFound);
  });

  it('imports a CSV list given as base64 data, with a report per row', async () => {
    const csv = [
      'Given Name,Family-Name,date of birth,nationality,document_number,languages,role,delegation,conflicts_of_interest',
      'Ewa,Nowak,1990-01-02,PL,PL900102,pl;en,sto,PL,none',
      'Jan,Kral,1960-06-06,CZ,CZ600606,cs,LTO,CZ,judge;party-membership',
      'Ewa,Nowak,1990-01-02,PL,PL900102,pl;en,sto,PL,none',
      ',,,,,,,,',
      'Ivan,Petrov,1950-01-01,RU,RU500101,ru,LTO,RU,not-a-question',
    ].join('\r\n');
    const job = importJobViewOf(
      (
        await accreditation.importApplications({
          context: commandContext(),
          format: 'csv',
          content: Buffer.from(csv),
        })
      ).job,
    );
    expect(job).toMatchObject({ missionId, state: 'queued', progress: { done: 0, total: 4 } });
    const done = await eventually(async () => {
      const now = importJobViewOf(
        (await accreditation.getImportJob({ context: asked, missionId, jobId: job.id })).job,
      );
      if (now.state !== 'done') throw new Error(`the job is ${now.state}`);
      return now;
    });
    await expect(
      accreditation.getImportJob({ context: asked, missionId: otherMission, jobId: job.id }),
    ).rejects.toBeInstanceOf(NotFound);
    const report = done.report!;
    expect(report.rows.map((r) => [r.row, r.status])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'unchanged'],
      [6, 'refused'],
    ]);
    expect(report.rows[3].errors).toEqual([
      { field: 'conflicts_of_interest', message: '"not-a-question" is not a question' },
    ]);
    const kral = await until(report.rows[1].applicationId!, () => true);
    await accreditation.screenApplication({
      context: commandContext(),
      applicationId: kral.applicationId,
      ruleSetId: kyrgyzCall.id,
    });
    const screened = await until(kral.applicationId, (v) => v.status === 'screened');
    expect(screened.screening?.failures.map((f) => f.rule)).toEqual([
      'excluded-occupation',
      'must-be-non-partisan',
    ]);
    const submitted = pageOf(
      await accreditation.listApplications({
        context: asked,
        missionId,
        status: 'submitted',
        page: { limit: 50 },
      }),
      applicationViewOf,
    );
    expect(submitted.items.map((a) => a.person.familyName)).toContain('Nowak');
  });

  it('rebuilt after an erasure, shows the person erased from the start', async () => {
    const person = applicant({
      identityDocument: { kind: 'passport', number: 'X600', issuingCountry: 'DE' },
    });
    const id = await submit(person);
    const { personId } = await until(id, () => true);
    const vault = moduleRef.get<PostgresPersonalDataVault>(PERSONAL_DATA_VAULT);
    await vault.erase(personId);
    const history = await store.readStream(applicationStream(id));
    const projection = accreditationProjection();
    const dataSource = moduleRef.get<DataSource>(getDataSourceToken());
    // Replayed into a scratch row (another id): the live read model is the projection runner's.
    const replayed = history.map((e) => ({ ...e, data: { ...e.data, applicationId: 'replay' } }));
    await dataSource.transaction(async (tx) => {
      for (const event of replayed) await projection.apply(event, tx);
    });
    const row = await dataSource.getRepository(ApplicationRow).findOneByOrFail({ applicationId: 'replay' });
    // The row holds the person only sealed; with the key gone, the view shows them erased.
    expect(row.status).toBe('submitted');
    expect(JSON.stringify(row)).not.toMatch(/Schmidt|X600/);
    expect((await toView(row, vault)).person).toMatchObject({
      erased: true,
      familyName: null,
      identityDocument: null,
    });
  });
});
