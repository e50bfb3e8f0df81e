import { describe, expect, it } from '@jest/globals';
import { DomainRuleBroken } from '#event-sourcing';
import { specFor } from '#testing';
import type { ApplicationCommand } from './application.commands.js';
import { applicationDecider } from './application.decide.js';
import {
  applicationId,
  historyUntil,
  missionId,
  personId,
  secretariat,
  submitted,
} from './application.examples.js';
import { evolve, initialState, type ApplicationEvent } from './application.js';

const spec = specFor(applicationDecider);
const at = '2024-02-01T09:00:00Z';
const erase: ApplicationCommand = { type: 'ErasePerson', by: secretariat, at };
const erased: ApplicationEvent = {
  type: 'PersonErased',
  data: { applicationId, personId, by: secretariat, at },
};

describe('erasing a person', () => {
  it.each([
    'submitted',
    'screened',
    'approved',
    'requested',
    'rejected',
    'refused',
    'revoked',
    'expired',
  ] as const)('forgets the person of an application that is %s', (stage) =>
    spec.given(historyUntil[stage]).when(erase).then([erased]),
  );

  it.each(['granted', 'suspended'] as const)(
    'refuses while the accreditation is in force (%s): revoke it first',
    (stage) => spec.given(historyUntil[stage]).when(erase).thenThrows(DomainRuleBroken, 'revoke it first'),
  );

  it('does nothing when the person was already erased', () =>
    spec
      .given([...historyUntil.revoked, erased])
      .when(erase)
      .thenNothingHappens());

  it('lets the application go no further once the person is erased', () =>
    spec
      .given([...historyUntil.approved, erased])
      .when({ type: 'RequestAccreditation', hostBody: 'CEC', by: secretariat, at })
      .thenThrows(DomainRuleBroken, 'was erased'));

  it('keeps only ids and status in state, nothing of the person', () => {
    const state = [...historyUntil.revoked, erased].reduce(evolve, initialState());
    expect(state).toEqual({
      status: 'revoked',
      id: applicationId,
      missionId,
      delegation: 'DE',
      role: 'LTO',
      personId,
      screening: { ruleSetId: 'kg-2023-parliamentary-lto', ruleSetVersion: 1, passed: true },
      badge: { number: 'KG-LTO-0042', validFrom: '2023-10-20T00:00:00Z', validTo: '2023-12-15T00:00:00Z' },
      personErased: true,
    });
  });
});

describe('deciding without reading personal data', () => {
  // In the store `person` is ciphertext, and after erasure no key can open it: history must still fold.
  const sealed = (event: ReturnType<typeof submitted>): ApplicationEvent =>
    ({
      ...event,
      data: { ...event.data, person: { ciphertext: 'bm90IHJlYWRhYmxl', keyId: personId } },
    }) as unknown as ApplicationEvent;

  it('folds and decides the same when the person is encrypted', () =>
    spec
      .given([sealed(submitted()), ...historyUntil.granted.slice(1)])
      .when({ type: 'RevokeAccreditation', by: secretariat, reason: 'misconduct', at })
      .then([
        { type: 'AccreditationRevoked', data: { applicationId, by: secretariat, reason: 'misconduct', at } },
      ]));

  it('erases a person whose data is already unreadable', () =>
    spec
      .given([sealed(submitted())])
      .when(erase)
      .then([erased]));
});
