import { describe, it } from '@jest/globals';
import { DomainRuleBroken } from '#event-sourcing';
import { specFor } from '#testing';
import type { ApplicationCommand } from './application.commands.js';
import { applicationDecider } from './application.decide.js';
import { applicationId, historyUntil, secretariat, validTo } from './application.examples.js';
import { KAZAKHSTAN_2020_PHOTO_VIDEO_CONDITION } from './rule-sets.js';

const spec = specFor(applicationDecider);
const at = '2023-11-05T09:00:00Z';
const cec = 'Central Election Commission of the Kyrgyz Republic';
const grant = (
  changes: Partial<Extract<ApplicationCommand, { type: 'GrantAccreditation' }>> = {},
): ApplicationCommand => ({
  type: 'GrantAccreditation',
  badgeNumber: 'KG-LTO-0042',
  validFrom: '2023-10-20T00:00:00Z',
  validTo,
  conditions: [],
  at,
  ...changes,
});

describe('asking the host election body', () => {
  it('requests accreditation for an approved application', () =>
    spec
      .given(historyUntil.approved)
      .when({ type: 'RequestAccreditation', hostBody: cec, by: secretariat, at })
      .then([
        { type: 'AccreditationRequested', data: { applicationId, hostBody: cec, by: secretariat, at } },
      ]));

  it('refuses a request that names no host body', () =>
    spec
      .given(historyUntil.approved)
      .when({ type: 'RequestAccreditation', hostBody: '', by: secretariat, at })
      .thenThrows(DomainRuleBroken, 'host election body'));
});

describe('the host body answers', () => {
  it('grants a badge with its validity and conditions', () =>
    spec
      .given(historyUntil.requested)
      .when(grant({ conditions: [KAZAKHSTAN_2020_PHOTO_VIDEO_CONDITION] }))
      .then([
        {
          type: 'AccreditationGranted',
          data: {
            applicationId,
            badgeNumber: 'KG-LTO-0042',
            validFrom: '2023-10-20T00:00:00Z',
            validTo,
            conditions: [KAZAKHSTAN_2020_PHOTO_VIDEO_CONDITION],
            at,
          },
        },
      ]));

  it('refuses to grant without a request to the host body', () =>
    spec.given(historyUntil.approved).when(grant()).thenThrows(DomainRuleBroken, 'only when requested'));

  it('refuses a grant without a badge number', () =>
    spec
      .given(historyUntil.requested)
      .when(grant({ badgeNumber: ' ' }))
      .thenThrows(DomainRuleBroken, 'badge number'));

  it('refuses a badge valid to before it is valid from', () =>
    spec
      .given(historyUntil.requested)
      .when(grant({ validFrom: validTo, validTo: '2023-10-20T00:00:00Z' }))
      .thenThrows(DomainRuleBroken, 'valid to a moment after'));

  it('refuses a validity that is not a date and time', () =>
    spec
      .given(historyUntil.requested)
      .when(grant({ validTo: 'after the elections' }))
      .thenThrows(DomainRuleBroken, 'validTo'));

  it('records a refusal by the host body with its reason', () =>
    spec
      .given(historyUntil.requested)
      .when({ type: 'RefuseAccreditation', reason: 'list submitted after the deadline', at })
      .then([
        {
          type: 'AccreditationRefused',
          data: { applicationId, reason: 'list submitted after the deadline', at },
        },
      ]));

  it('refuses to record a refusal without its reason', () =>
    spec
      .given(historyUntil.requested)
      .when({ type: 'RefuseAccreditation', reason: '', at })
      .thenThrows(DomainRuleBroken, 'needs a reason'));
});

describe('suspension and reinstatement', () => {
  it('suspends a granted accreditation with a reason', () =>
    spec
      .given(historyUntil.granted)
      .when({ type: 'SuspendAccreditation', by: secretariat, reason: 'complaint under review', at })
      .then([
        {
          type: 'AccreditationSuspended',
          data: { applicationId, by: secretariat, reason: 'complaint under review', at },
        },
      ]));

  it('reinstates a suspended accreditation', () =>
    spec
      .given(historyUntil.suspended)
      .when({ type: 'ReinstateAccreditation', by: secretariat, at })
      .then([{ type: 'AccreditationReinstated', data: { applicationId, by: secretariat, at } }]));

  it('can suspend again after a reinstatement', () =>
    spec
      .given([
        ...historyUntil.suspended,
        { type: 'AccreditationReinstated', data: { applicationId, by: secretariat, at } },
      ])
      .when({ type: 'SuspendAccreditation', by: secretariat, reason: 'second complaint', at })
      .then([
        {
          type: 'AccreditationSuspended',
          data: { applicationId, by: secretariat, reason: 'second complaint', at },
        },
      ]));

  it('refuses to reinstate a badge whose validity has ended', () =>
    spec
      .given(historyUntil.suspended)
      .when({ type: 'ReinstateAccreditation', by: secretariat, at: '2023-12-20T00:00:00Z' })
      .thenThrows(DomainRuleBroken, 'no longer valid'));
});

describe('revocation', () => {
  it.each(['granted', 'suspended'] as const)('revokes a %s accreditation with a reason', (stage) =>
    spec
      .given(historyUntil[stage])
      .when({ type: 'RevokeAccreditation', by: secretariat, reason: 'breach of the code of conduct', at })
      .then([
        {
          type: 'AccreditationRevoked',
          data: { applicationId, by: secretariat, reason: 'breach of the code of conduct', at },
        },
      ]),
  );

  it('refuses to revoke without a reason', () =>
    spec
      .given(historyUntil.granted)
      .when({ type: 'RevokeAccreditation', by: secretariat, reason: '', at })
      .thenThrows(DomainRuleBroken, 'revoking needs a reason'));
});

describe('expiry', () => {
  const now = '2023-12-15T00:00:01Z';

  it.each(['granted', 'suspended'] as const)('expires a %s accreditation once validTo has passed', (stage) =>
    spec
      .given(historyUntil[stage])
      .when({ type: 'ExpireAccreditation', now })
      .then([{ type: 'AccreditationExpired', data: { applicationId, validTo, at: now } }]),
  );

  it('refuses to expire a badge before validTo has passed', () =>
    spec
      .given(historyUntil.granted)
      .when({ type: 'ExpireAccreditation', now: validTo })
      .thenThrows(DomainRuleBroken, `valid until ${validTo}`));

  it('does nothing when asked to expire what has already expired', () =>
    spec.given(historyUntil.expired).when({ type: 'ExpireAccreditation', now }).thenNothingHappens());
});
