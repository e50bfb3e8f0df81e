/**
 * What an erasure leaves on disk: the whole accreditation module on a real data folder (PGlite) and on
 * the Postgres server, a person accredited, revoked and erased, the platform restarted; then every file
 * that changed (the data folder; on the server the database's folder and the WAL written meanwhile) is
 * searched for the person's fields and for any 32-byte window that opens their sealed data.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';
import {
  AppConfigModule,
  EventStoreModule,
  loadConfig,
  MetricsModule,
  ProjectionsModule,
  ReadModelsModule,
} from '#platform';
import { EVENT_STORE, isSealed, type EventStore, type SealedPersonalData } from '#event-sourcing';
import {
  changedSince,
  createTestDatabase,
  filesHolding,
  filesUnder,
  fingerprint,
  scanFiles,
  serverUrl,
  type SealedSample,
  type TestDatabase,
} from '#testing';
import { applicant, kyrgyzCall } from '../domain/application.examples.js';
import type { PersonalData } from '../domain/application.js';
import { ACCREDITATION_CLOCK } from '../clock.js';
import { AccreditationModule } from '../accreditation.module.js';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import {
  type ApplicationStep,
} from '../index.js';
import { personMessageOf } from '../submit-application/person.message.js';
import { takeStep } from '../rpc-calls.spec-support.js';
import { applicationStream } from '../identities.js';
import type { ApplicationView } from '../index.js';
import { applicationViewOf } from '../applications-view/application.message.js';

const missionId = 'mission-pl-2025';
const clock = () => new Date('2023-10-01T09:00:00Z');
let commands = 0;
const context = () => ({
  commandId: `erasure-${++commands}`,
  missionId,
  actor: { userId: 'user-secretariat', role: 'secretariat' },
  correlationId: 'erasure-on-disk',
});

/** The same, as an rpc carries it. */
const commandContext = () => {
  const { commandId, ...rest } = context();
  return { ...rest, commandId, causationId: commandId, occurredAt: clock().toISOString() };
};

/** Who asks, as a query rpc carries it. */
const asked = { correlationId: 'erasure-on-disk' };

const applicationOf = async (moduleRef: TestingModule, applicationId: string): Promise<ApplicationView> =>
  applicationViewOf(
    (
      await moduleRef
        .get<Accreditation>(ACCREDITATION)
        .getApplication({ context: asked, missionId, applicationId })
    ).application,
  );

/** Fields no other test writes, so that a hit is this person and not a stale WAL segment of another run. */
const runTag = () => randomBytes(4).toString('hex');
const letters = (hex: string) => hex.replace(/[0-9]/g, (d) => 'qwxzjkvbpy'[Number(d)]);
const personWith = (tag: string): PersonalData =>
  applicant({
    names: {
      latin: { given: `Jadwiga${letters(tag)}`, family: `Ołtarzewska-Wójcik${letters(tag)}` },
      local: null,
    },
    nationality: 'PL',
    identityDocument: { kind: 'passport', number: `EZ${parseInt(tag, 16)}`, issuingCountry: 'PL' },
    contacts: [
      { kind: 'email', value: `jadwiga.${tag}@przyklad.example` },
      { kind: 'phone', value: `+48 601 ${parseInt(tag.slice(0, 4), 16)} ${parseInt(tag.slice(4), 16)}` },
    ],
  });

const fieldsOf = (person: PersonalData): Record<string, string> => ({
  'given name': person.names.latin.given,
  'family name': person.names.latin.family,
  'document number': person.identityDocument.number,
  email: person.contacts[0].value,
  phone: person.contacts[1].value,
  'phone digits': person.contacts[1].value.replace(/\D/g, ''),
});

const eventually = async <T>(check: () => Promise<T>): Promise<T> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
};

const boot = async (env: Record<string, string>): Promise<TestingModule> => {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const moduleRef = await Test.createTestingModule({
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
    .useValue(clock)
    .compile();
  await moduleRef.init();
  return moduleRef;
};

type Accredited = {
  erased: PersonalData;
  erasedApp: string;
  keptApp: string;
  sealed: SealedSample;
  /** A piece of the sealed history, which must still be on disk: the scan looked where the data is. */
  ciphertextPiece: string;
};

/** The secretariat's day: two applicants accredited, one revoked and erased. Answers what a scan needs. */
const accreditAndErase = async (moduleRef: TestingModule, tag: string): Promise<Accredited> => {
  const accreditation = moduleRef.get<Accreditation>(ACCREDITATION);
  const view = (id: string) => applicationOf(moduleRef, id);
  const until = (id: string, ready: (v: ApplicationView) => boolean) =>
    eventually(async () => {
      const v = await view(id);
      if (!ready(v)) throw new Error(`application ${id} is ${v.status}`);
      return v;
    });
  const step = (applicationId: string, s: ApplicationStep) =>
    takeStep(accreditation, commandContext(), applicationId, s);
  const accredit = async (person: PersonalData, badgeNumber: string) => {
    const { id } = await accreditation.submitApplication({
      context: commandContext(),
      delegation: 'PL',
      role: 'LTO',
      person: personMessageOf(person),
    });
    await until(id, () => true);
    await accreditation.screenApplication({
      context: commandContext(),
      applicationId: id,
      ruleSetId: kyrgyzCall.id,
    });
    await until(id, (v) => v.status === 'screened');
    await step(id, { type: 'ApproveApplication' });
    await step(id, { type: 'RequestAccreditation', hostBody: 'PKW' });
    await accreditation.grantAccreditation({
      context: commandContext(),
      applicationId: id,
      badgeNumber,
      validFrom: '2023-11-01T00:00:00Z',
      validTo: '2023-12-15T00:00:00Z',
      conditions: [],
    });
    return until(id, (v) => v.status === 'granted');
  };

  await accreditation.publishRuleSet({
    context: commandContext(),
    ruleSetJson: JSON.stringify({ ...kyrgyzCall, missionId }),
  });
  const erased = personWith(tag);
  const kept = personWith(runTag());
  const gone = await accredit(erased, `PL-LTO-${tag}`);
  const stays = await accredit(kept, `PL-LTO-${tag}-K`);
  const badge = await accreditation.findBadge({
    context: asked,
    missionId,
    badgeNumber: `PL-LTO-${tag}`,
  });
  expect(applicationViewOf(badge.application).person.familyName).toBe(
    erased.names.latin.family,
  );
  await step(gone.applicationId, { type: 'RevokeAccreditation', reason: 'left the mission' });
  await until(gone.applicationId, (v) => v.status === 'revoked');
  await accreditation.erasePerson({ context: commandContext(), personId: gone.personId });
  await until(gone.applicationId, (v) => v.person.erased);

  const history = await moduleRef
    .get<EventStore>(EVENT_STORE)
    .readStream(applicationStream(gone.applicationId));
  const person = history
    .map((e) => (e.data as { person?: unknown }).person)
    .find(isSealed) as SealedPersonalData;
  return {
    erased,
    erasedApp: gone.applicationId,
    keptApp: stays.applicationId,
    ciphertextPiece: person.ciphertext.slice(0, 40),
    sealed: {
      iv: Buffer.from(person.iv, 'base64'),
      tag: Buffer.from(person.tag, 'base64'),
      ciphertext: Buffer.from(person.ciphertext, 'base64'),
      aad: Buffer.from(`observa-person:${person.personId}`, 'utf8'),
      plaintextStart: Buffer.from('{"', 'utf8'),
    },
  };
};

/** After the restart: the erased person stays forgotten, the other is whole (no live key was lost). */
const checkAfterRestart = async (moduleRef: TestingModule, { erased, erasedApp, keptApp }: Accredited) => {
  const gone: ApplicationView = await applicationOf(moduleRef, erasedApp);
  expect(gone.person).toMatchObject({
    erased: true,
    givenName: null,
    familyName: null,
    identityDocument: null,
  });
  expect(gone.status).toBe('revoked');
  const stays: ApplicationView = await applicationOf(moduleRef, keptApp);
  expect(stays.person.erased).toBe(false);
  expect(stays.person.familyName).toMatch(/^Ołtarzewska-Wójcik/);
  expect(stays.person.familyName).not.toBe(erased.names.latin.family);
};

describe('what an erasure leaves on disk', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'observa-erasure-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('in the embedded data folder: no field of the person and no key that opens them, after a restart', async () => {
    const dataDir = join(scratch, 'data');
    const env = { OBSERVA_DATA_DIR: dataDir };
    await (await boot(env)).close(); // the folder as a first start leaves it, before anyone is sealed
    const before = await fingerprint(dataDir);
    const tag = runTag();
    let moduleRef = await boot(env);
    const accredited = await accreditAndErase(moduleRef, tag);
    await moduleRef.close();
    moduleRef = await boot(env);
    await checkAfterRestart(moduleRef, accredited);
    await moduleRef.close();

    const changed = await changedSince(dataDir, before);
    expect(changed.some((file) => file.includes('pg_wal'))).toBe(true);
    expect(await filesHolding(changed, accredited.ciphertextPiece)).not.toEqual([]);
    const findings = await scanFiles(changed, dataDir, fieldsOf(accredited.erased), accredited.sealed);
    expect(findings).toEqual([]);
  }, 240_000);

  it('on the Postgres server: not in the database files, not in the WAL, after a checkpoint', async () => {
    const admin = new pg.Client({ connectionString: serverUrl() });
    await admin.connect();
    let database: TestDatabase | undefined;
    try {
      const serverData = (await admin.query('SHOW data_directory')).rows[0].data_directory as string;
      const walFile = async (lsnSql: string) =>
        (await admin.query(`SELECT pg_walfile_name(${lsnSql}) AS name`)).rows[0].name as string;
      const firstWal = await walFile('pg_current_wal_lsn()');
      database = await createTestDatabase('observa_erasure');
      const env = { DATABASE_URL: database.url, OBSERVA_KEK_FILE: join(scratch, 'server.kek') };
      const tag = runTag();
      let moduleRef = await boot(env);
      const accredited = await accreditAndErase(moduleRef, tag);
      await moduleRef.close();
      moduleRef = await boot(env);
      await checkAfterRestart(moduleRef, accredited);
      await moduleRef.close();

      await admin.query('CHECKPOINT');
      const lastWal = await walFile('pg_switch_wal()');
      const oid = (await admin.query('SELECT oid FROM pg_database WHERE datname = $1', [database.name]))
        .rows[0].oid as number;
      const databaseFiles = await filesUnder(join(serverData, 'base', String(oid)));
      const walFiles = (await filesUnder(join(serverData, 'pg_wal'))).filter((file) => {
        const name = file.slice(file.lastIndexOf('/') + 1);
        return /^[0-9A-F]{24}$/.test(name) && name >= firstWal && name <= lastWal;
      });
      expect(await filesHolding(walFiles, accredited.ciphertextPiece)).not.toEqual([]);
      expect(await filesHolding(databaseFiles, accredited.ciphertextPiece)).not.toEqual([]);
      const findings = await scanFiles(
        [...databaseFiles, ...walFiles],
        serverData,
        fieldsOf(accredited.erased),
        accredited.sealed,
      );
      expect(findings).toEqual([]);
    } finally {
      await admin.end();
      await database?.drop();
    }
  }, 300_000);
});
