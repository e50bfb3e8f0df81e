/**
 * Submit an observer application: the rules of submission read the plaintext, then the person is
 * sealed with a key of their own and only the sealed form is written. The application id derives
 * from the mission and the identity document: the same person sent twice lands on one application.
 */
import { randomUUID } from 'node:crypto';
import {
  appendDecided,
  commandHashOf,
  DomainRuleBroken,
  earlierAnswer,
  loadStream,
  PersonErasedError,
  VersionConflict,
  type CommandContext,
  type CommandResult,
  type EventStore,
  type PersonalDataVault,
  type SealedPersonalData,
} from '#event-sourcing';
import type { ObserverRole, PersonalData } from '../domain/application.js';
import { applicationDecider, decide } from '../domain/application.decide.js';
import { applicationIdFor, applicationStream, personIdFor } from '../identities.js';

export type SubmitApplication = {
  readonly missionId: string;
  readonly delegation: string;
  readonly role: ObserverRole;
  /** Plaintext here; sealed with the person's key before it is written, and never hashed into the request. */
  readonly person: PersonalData;
  readonly at: string;
  readonly context: CommandContext;
};

/** The application's and the person's ids, from the mission and the identity document. */
export const idsOf = (
  missionId: string,
  person: PersonalData,
): { applicationId: string; personId: string } => {
  const { nationality, identityDocument } = person;
  return {
    applicationId: applicationIdFor(missionId, nationality, identityDocument.number),
    personId: personIdFor(missionId, nationality, identityDocument.number),
  };
};

const MAX_ATTEMPTS = 5;

export const submitApplication = async (
  store: EventStore,
  vault: PersonalDataVault,
  submission: SubmitApplication,
): Promise<{ applicationId: string; result: CommandResult }> => {
  const { missionId, delegation, role, person, at } = submission;
  const context = { ...submission.context, missionId };
  const { applicationId, personId } = idsOf(missionId, person);
  const request = {
    type: 'SubmitApplication',
    applicationId,
    missionId,
    delegation,
    role,
    personId,
  } as const;
  const commandId = context.commandId ?? randomUUID();
  const commandHash = commandHashOf(request);
  const stream = applicationStream(applicationId);
  for (let attempt = 1; ; attempt++) {
    const { state, version, events } = await loadStream(store, applicationDecider, stream);
    // The rules of submission read the plaintext: check them before a key is made for the person.
    if (state.status === 'none') decide({ ...request, person, at }, state);
    const sealed = await seal(vault, personId, person);
    const earlier = earlierAnswer(stream, events, commandId, commandHash);
    if (earlier) return { applicationId, result: earlier };
    const stored = decide({ ...request, person, at }, state).map((event) =>
      event.type === 'ApplicationSubmitted'
        ? { type: event.type, data: { ...event.data, person: sealed } }
        : event,
    );
    try {
      const result = await appendDecided(store, stream, version, stored, {
        context,
        commandId,
        commandHash,
        occurredAt: at,
      });
      return { applicationId, result };
    } catch (error) {
      if (!(error instanceof VersionConflict) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
};

const seal = async (
  vault: PersonalDataVault,
  personId: string,
  person: PersonalData,
): Promise<SealedPersonalData> => {
  try {
    return await vault.encrypt(personId, person);
  } catch (error) {
    if (error instanceof PersonErasedError)
      throw new DomainRuleBroken('this person was erased from the mission: they cannot apply again');
    throw error;
  }
};
