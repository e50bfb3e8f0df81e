/**
 * The accreditation read models, fed from `application` and `ruleset` streams: applications (by
 * status, accredited observers by delegation/role/language, badge lookup) and the missions' rule sets.
 *
 * Rows never hold a person in the clear: `person` is the value sealed with the person's key, as the
 * submission event holds it, and queries open it (`toView`). Postgres keeps old row versions and WAL
 * records long after an update; what they hold of a person is then ciphertext whose key dies with the
 * erasure (see the vault). When the person is erased the row keeps its ids and statuses and drops the
 * sealed value. Searching and ordering by a person's fields (language, family name) happens after
 * opening, in the query.
 */
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';
import type { RecordedEvent, SealedPersonalData } from '#event-sourcing';
import { isSealed, type PersonalDataVault } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import type {
  ApplicationEvent,
  ApplicationStatus,
  ObserverRole,
  PersonalData,
} from '../domain/application.js';
import type { EligibilityFailure, RuleSet } from '../domain/eligibility.js';
import { APPLICATION_CATEGORY, RULE_SET_CATEGORY } from '../identities.js';
import type { ApplicationView, PersonView } from './views.js';
import type { RuleSetPublished } from '../domain/rule-set.js';
import { badgeNumberOf } from '../domain/badge-number.js';

@Entity('accreditation_applications')
@Index(['missionId', 'status'])
// A page of the applications list is a range of this index (query-handlers.ts), however long the list.
@Index(['missionId', 'submittedAt', 'applicationId'])
@Index(['missionId', 'badgeNumber'])
@Index(['missionId', 'personId'])
export class ApplicationRow {
  @PrimaryColumn('text', { name: 'application_id' }) applicationId!: string;
  @Column('text', { name: 'mission_id' }) missionId!: string;
  @Column('text', { name: 'person_id' }) personId!: string;
  @Column('text') status!: ApplicationStatus;
  @Column('text') delegation!: string;
  @Column('text') role!: ObserverRole;
  @Column('boolean', { name: 'person_erased', default: false }) personErased!: boolean;
  /**
   * The person sealed with their key (or, for events recorded before sealing existed, as the event
   * holds them); null once erased.
   */
  @Column('jsonb', { nullable: true }) person!: SealedPersonalData | PersonalData | null;
  @Column('jsonb', { nullable: true }) screening!: ApplicationView['screening'];
  @Column('text', { name: 'badge_number', nullable: true }) badgeNumber!: string | null;
  @Column('text', { name: 'valid_from', nullable: true }) validFrom!: string | null;
  @Column('text', { name: 'valid_to', nullable: true }) validTo!: string | null;
  @Column('jsonb', { default: () => "'[]'::jsonb" }) conditions!: string[];
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { name: 'submitted_at' }) submittedAt!: string;
  @Column('text', { name: 'updated_at' }) updatedAt!: string;
}

@Entity('accreditation_rule_sets')
export class RuleSetRow {
  @PrimaryColumn('text', { name: 'mission_id' }) missionId!: string;
  @PrimaryColumn('text', { name: 'rule_set_id' }) ruleSetId!: string;
  @Column('int') version!: number;
  @Column('jsonb', { name: 'rule_set' }) ruleSet!: RuleSet;
  @Column('text', { name: 'published_at' }) publishedAt!: string;
}

/** Every person field blank: what an erased person looks like. */
const FORGOTTEN_PERSON: PersonView = {
  erased: true,
  givenName: null,
  familyName: null,
  localName: null,
  dateOfBirth: null,
  nationality: null,
  identityDocument: null,
  contacts: [],
  languages: [],
};

const personView = (person: PersonalData | null): PersonView =>
  person === null
    ? FORGOTTEN_PERSON
    : {
        erased: false,
        givenName: person.names.latin.given,
        familyName: person.names.latin.family,
        localName: person.names.local ? { ...person.names.local } : null,
        dateOfBirth: person.dateOfBirth,
        nationality: person.nationality,
        identityDocument: { ...person.identityDocument },
        contacts: person.contacts.map((c) => ({ ...c })),
        languages: person.languages.map((l) => l.toLowerCase()),
      };

/**
 * The applications as the API shows them, each person opened with their key (all keys read at once):
 * sealed, or plaintext for events recorded before sealing existed; erased, or with no key, forgotten.
 */
export const toViews = async (
  rows: readonly ApplicationRow[],
  vault: PersonalDataVault,
): Promise<ApplicationView[]> => {
  const sealed = rows.filter((row) => !row.personErased && isSealed(row.person));
  const opened = await vault.decryptAll<PersonalData>(sealed.map((row) => row.person as SealedPersonalData));
  const personOf = new Map(sealed.map((row, i) => [row, opened[i]]));
  return rows.map((row) =>
    viewOf(row, row.personErased ? null : (personOf.get(row) ?? (isSealed(row.person) ? null : row.person))),
  );
};

export const toView = async (row: ApplicationRow, vault: PersonalDataVault): Promise<ApplicationView> =>
  (await toViews([row], vault))[0];

const viewOf = (row: ApplicationRow, person: PersonalData | null): ApplicationView => ({
  applicationId: row.applicationId,
  missionId: row.missionId,
  personId: row.personId,
  status: row.status,
  delegation: row.delegation,
  role: row.role,
  person: personView(person),
  screening: row.screening,
  badge:
    row.badgeNumber && row.validFrom && row.validTo
      ? {
          number: row.badgeNumber,
          validFrom: row.validFrom,
          validTo: row.validTo,
          conditions: row.conditions,
        }
      : null,
  reason: row.reason,
  submittedAt: row.submittedAt,
  updatedAt: row.updatedAt,
});

/** The status an event leaves an application in; PersonErased leaves it where it was. */
const STATUS_AFTER: Partial<Record<ApplicationEvent['type'], ApplicationStatus>> = {
  EligibilityScreened: 'screened',
  ApplicationApproved: 'approved',
  ApplicationRejected: 'rejected',
  AccreditationRequested: 'requested',
  AccreditationGranted: 'granted',
  AccreditationRefused: 'refused',
  AccreditationSuspended: 'suspended',
  AccreditationReinstated: 'granted',
  AccreditationRevoked: 'revoked',
  AccreditationExpired: 'expired',
};

const applyApplicationEvent = async (recorded: RecordedEvent, tx: EntityManager): Promise<void> => {
  const event = { type: recorded.type, data: recorded.data } as unknown as ApplicationEvent;
  const at = recorded.metadata.occurredAt ?? new Date().toISOString();
  if (event.type === 'ApplicationSubmitted') {
    const { applicationId, missionId, personId, delegation, role } = event.data;
    await tx
      .createQueryBuilder()
      .insert()
      .into(ApplicationRow)
      .values({
        applicationId,
        missionId,
        personId,
        delegation,
        role,
        status: 'submitted',
        personErased: false,
        person: event.data.person as SealedPersonalData | PersonalData,
        screening: null,
        badgeNumber: null,
        validFrom: null,
        validTo: null,
        conditions: [],
        reason: null,
        submittedAt: event.data.at,
        updatedAt: at,
      })
      .orIgnore()
      .execute();
    return;
  }
  const applicationId = (event.data as { applicationId?: string }).applicationId;
  if (!applicationId) return;
  const changes: Partial<ApplicationRow> = { updatedAt: at };
  const status = STATUS_AFTER[event.type];
  if (status) changes.status = status;
  switch (event.type) {
    case 'EligibilityScreened': {
      const { ruleSetId, ruleSetVersion, passed, failures } = event.data;
      changes.screening = { ruleSetId, ruleSetVersion, passed, failures: failures as EligibilityFailure[] };
      break;
    }
    case 'ApplicationApproved':
      changes.reason = event.data.reason;
      break;
    case 'ApplicationRejected':
    case 'AccreditationRefused':
    case 'AccreditationSuspended':
    case 'AccreditationRevoked':
      changes.reason = event.data.reason;
      break;
    case 'AccreditationReinstated':
      changes.reason = null;
      break;
    case 'AccreditationGranted': {
      const { validFrom, validTo, conditions } = event.data;
      // Grants recorded before numbers were normalised are looked up like the others.
      const badgeNumber = badgeNumberOf(event.data.badgeNumber);
      Object.assign(changes, { badgeNumber, validFrom, validTo, conditions: [...conditions], reason: null });
      break;
    }
    case 'PersonErased':
      Object.assign(changes, { personErased: true, person: null });
      break;
    default:
      break;
  }
  await tx.update(ApplicationRow, { applicationId }, changes);
};

/** Needs no key: rows take the person sealed, as the event holds them. */
export const accreditationProjection = (): Projection => ({
  name: 'accreditation-read-models',
  categories: [APPLICATION_CATEGORY, RULE_SET_CATEGORY],
  entities: [ApplicationRow, RuleSetRow],
  async apply(event: RecordedEvent, tx: EntityManager) {
    if (event.streamId.startsWith(`${RULE_SET_CATEGORY}-`)) {
      if (event.type !== 'RuleSetPublished') return;
      const { ruleSet, at } = (event as unknown as RuleSetPublished).data;
      await tx.upsert(
        RuleSetRow,
        {
          missionId: ruleSet.missionId,
          ruleSetId: ruleSet.id,
          version: ruleSet.version,
          ruleSet,
          publishedAt: at,
        },
        ['missionId', 'ruleSetId'],
      );
      return;
    }
    await applyApplicationEvent(event, tx);
  },
  async reset(tx: EntityManager) {
    await tx.clear(ApplicationRow);
    await tx.clear(RuleSetRow);
  },
});
