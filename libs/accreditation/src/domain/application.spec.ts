import { describe, it } from '@jest/globals';
import { DomainRuleBroken, NotFound } from '#event-sourcing';
import { specFor } from '#testing';
import type { ApplicationCommand } from './application.commands.js';
import { applicationDecider } from './application.decide.js';
import {
  anna,
  applicant,
  applicationId,
  historyUntil,
  kyrgyzCall,
  missionId,
  personId,
  screenAgainst,
  screened,
  secretariat,
  submitted,
  validTo,
} from './application.examples.js';
import type { PersonalData } from './application.js';

const spec = specFor(applicationDecider);
const at = '2023-10-05T09:00:00Z';
const submit = (person: PersonalData = anna): ApplicationCommand => ({
  type: 'SubmitApplication',
  applicationId,
  missionId,
  delegation: 'DE',
  role: 'LTO',
  personId,
  person,
  at: '2023-10-01T09:00:00Z',
});
const revisedCall = { ...kyrgyzCall, version: 2 };
const hostCitizen = {
  rule: 'excluded-nationality',
  reason: 'citizens of the host country cannot observe for an international mission: citizen of KG',
} as const;

describe('submitting an application', () => {
  it('takes in the person, the role, the delegation and the declarations', () =>
    spec.given([]).when(submit()).then([submitted()]));

  it('refuses a second submission of the same application', () =>
    spec.given([submitted()]).when(submit()).thenThrows(DomainRuleBroken, 'already submitted'));

  it('refuses an application with a conflict-of-interest question left unanswered', () => {
    const { prosecutor: _left, ...answers } = anna.declarations.conflictsOfInterest;
    const person = {
      ...anna,
      declarations: { ...anna.declarations, conflictsOfInterest: answers },
    } as PersonalData;
    spec.given([]).when(submit(person)).thenThrows(DomainRuleBroken, 'unanswered: prosecutor');
  });

  it('refuses a role that is not LTO, STO or core team', () =>
    spec
      .given([])
      .when({ ...submit(), role: 'TOURIST' } as unknown as ApplicationCommand)
      .thenThrows(DomainRuleBroken, 'not an observer role'));

  it('knows no application that was never submitted', () =>
    spec.given([]).when({ type: 'ApproveApplication', by: secretariat, at }).thenThrows(NotFound));
});

describe('screening, and screening again when the rules change', () => {
  it('records a screening against the mission rule set', () =>
    spec
      .given([submitted()])
      .when(screenAgainst(kyrgyzCall))
      .then([screened(kyrgyzCall)]));

  it('records a new screening when the rule set has a new version: nothing is re-screened silently', () =>
    spec
      .given(historyUntil.screened)
      .when(screenAgainst(revisedCall))
      .then([screened(revisedCall)]));

  it('a new version can turn a pass into a failure, as a new event', () => {
    const stricter = {
      ...revisedCall,
      rules: [...kyrgyzCall.rules, { kind: 'required-languages' as const, anyOf: ['ky'] }],
    };
    spec
      .given(historyUntil.screened)
      .when(screenAgainst(stricter))
      .then([
        screened(stricter, [
          { rule: 'required-languages', reason: 'speaks none of the required languages: ky' },
        ]),
      ]);
  });

  it('does nothing when screened again against the same version (a retry)', () =>
    spec.given(historyUntil.screened).when(screenAgainst(kyrgyzCall)).thenNothingHappens());

  it('refuses to screen against an older version than the last screening', () =>
    spec
      .given([submitted(), screened(revisedCall)])
      .when(screenAgainst(kyrgyzCall))
      .thenThrows(DomainRuleBroken, 'v1 is older'));
});

describe('the secretariat decides', () => {
  it('approves a passed screening, recording the rule set it rests on', () =>
    spec
      .given(historyUntil.screened)
      .when({ type: 'ApproveApplication', by: secretariat, at })
      .then([
        {
          type: 'ApplicationApproved',
          data: {
            applicationId,
            by: secretariat,
            reason: null,
            basedOn: { ruleSetId: kyrgyzCall.id, ruleSetVersion: 1 },
            at,
          },
        },
      ]));

  it('refuses to approve an application that failed screening', () =>
    spec
      .given([submitted(applicant({ nationality: 'KG' })), screened(kyrgyzCall, [hostCitizen])])
      .when({ type: 'ApproveApplication', by: secretariat, at })
      .thenThrows(DomainRuleBroken, 'failed eligibility screening'));

  it('refuses to approve an application that was never screened', () =>
    spec
      .given(historyUntil.submitted)
      .when({ type: 'ApproveApplication', by: secretariat, at })
      .thenThrows(DomainRuleBroken, 'only a screened application can be approved'));

  it('rejects a failed screening with a reason', () =>
    spec
      .given([submitted(applicant({ nationality: 'KG' })), screened(kyrgyzCall, [hostCitizen])])
      .when({ type: 'RejectApplication', by: secretariat, reason: 'citizen of the host country', at })
      .then([
        {
          type: 'ApplicationRejected',
          data: { applicationId, by: secretariat, reason: 'citizen of the host country', at },
        },
      ]));

  it('refuses to reject without a reason', () =>
    spec
      .given(historyUntil.screened)
      .when({ type: 'RejectApplication', by: secretariat, reason: '  ', at })
      .thenThrows(DomainRuleBroken, 'needs a reason'));

  it.each(['submitted', 'screened', 'approved', 'requested'] as const)(
    'may reject at any stage before the grant: %s',
    (stage) =>
      spec
        .given(historyUntil[stage])
        .when({ type: 'RejectApplication', by: secretariat, reason: 'delegation quota filled', at })
        .then([
          {
            type: 'ApplicationRejected',
            data: { applicationId, by: secretariat, reason: 'delegation quota filled', at },
          },
        ]),
  );
});

/** Every command against every stage it is not allowed in: each is refused with a named rule. */
describe('the status machine refuses every transition it does not allow', () => {
  const after = '2023-12-16T00:00:00Z';
  const commands: [string, ApplicationCommand, string[]][] = [
    ['screen', screenAgainst(revisedCall), ['submitted', 'screened']],
    ['approve', { type: 'ApproveApplication', by: secretariat, at }, ['screened']],
    [
      'reject',
      { type: 'RejectApplication', by: secretariat, reason: 'quota', at },
      ['submitted', 'screened', 'approved', 'requested'],
    ],
    ['request', { type: 'RequestAccreditation', hostBody: 'CEC', by: secretariat, at }, ['approved']],
    [
      'grant',
      {
        type: 'GrantAccreditation',
        badgeNumber: 'KG-1',
        validFrom: '2023-10-20T00:00:00Z',
        validTo,
        conditions: [],
        at,
      },
      ['requested'],
    ],
    ['refuse', { type: 'RefuseAccreditation', reason: 'late list', at }, ['requested']],
    ['suspend', { type: 'SuspendAccreditation', by: secretariat, reason: 'complaint', at }, ['granted']],
    ['reinstate', { type: 'ReinstateAccreditation', by: secretariat, at }, ['suspended']],
    [
      'revoke',
      { type: 'RevokeAccreditation', by: secretariat, reason: 'misconduct', at },
      ['granted', 'suspended'],
    ],
    // Expiring what has expired is a retry: nothing happens (see accreditation.spec).
    ['expire', { type: 'ExpireAccreditation', now: after }, ['granted', 'suspended', 'expired']],
    ['submit', submit(), []],
  ];
  const refusals = commands.flatMap(([name, command, allowed]) =>
    (Object.keys(historyUntil) as (keyof typeof historyUntil)[])
      .filter((stage) => !allowed.includes(stage))
      .map((stage) => [name, stage, command] as const),
  );

  it.each(refusals)('refuses to %s an application that is %s', (_name, stage, command) =>
    spec.given(historyUntil[stage]).when(command).thenThrows(DomainRuleBroken),
  );
});
