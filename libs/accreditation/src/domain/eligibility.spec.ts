import { describe, it } from '@jest/globals';
import { specFor } from '#testing';
import { applicationDecider } from './application.decide.js';
import {
  anna,
  applicant,
  kyrgyzCall,
  missionId,
  screenAgainst,
  screened,
  submitted,
} from './application.examples.js';
import type { PersonalData } from './application.js';
import type { EligibilityFailure, Occupation, Rule, RuleSet } from './eligibility.js';
import { kazakhstan2020ObserverDocuments } from './rule-sets.js';

const spec = specFor(applicationDecider);
const screening = (person: PersonalData, ruleSet: RuleSet = kyrgyzCall) =>
  spec.given([submitted(person)]).when(screenAgainst(ruleSet, person));
const failing = (ruleSet: RuleSet, ...failures: EligibilityFailure[]) => [screened(ruleSet, failures)];
const withRules = (...rules: Rule[]): RuleSet => ({ ...kyrgyzCall, id: 'test-rules', rules });

const HOST_CITIZENS = 'citizens of the host country cannot observe for an international mission';
const IN_DISPUTE = 'citizens of a state in dispute with the host country cannot observe';

describe('screening against the Kyrgyz 2023 LTO call', () => {
  it('passes an applicant with no excluded post, no party and no Kyrgyz citizenship', () =>
    screening(anna).then([screened(kyrgyzCall, [])]));

  it.each<[Occupation, string]>([
    ['member-of-parliament', 'member of parliament'],
    ['local-council-deputy', 'deputy of a local council'],
    ['candidate', 'candidate in this election'],
    ['political-or-special-state-post', 'holder of a political or special state post'],
    ['civil-servant', 'civil servant'],
    ['municipal-servant', 'municipal servant'],
    ['election-commission-member', 'member of an election commission'],
    ['party-or-candidate-representative', 'representative of a party or candidate'],
    ['judge', 'judge'],
    ['prosecutor', 'prosecutor'],
    ['law-enforcement-officer', 'law-enforcement officer'],
    ['fiscal-officer', 'fiscal officer'],
    ['military', 'military serviceperson'],
  ])('excludes an applicant who declares being %s', (occupation, label) =>
    screening(applicant({ declaring: [occupation] })).then(
      failing(kyrgyzCall, { rule: 'excluded-occupation', reason: `declares: ${label}` }),
    ),
  );

  it('excludes a member of a political party: observers are non-partisan', () =>
    screening(applicant({ declaring: ['party-membership'] })).then(
      failing(kyrgyzCall, { rule: 'must-be-non-partisan', reason: 'declares: member of a political party' }),
    ));

  it('excludes someone who campaigns for a party or candidate', () =>
    screening(applicant({ declaring: ['campaigning-for-party-or-candidate'] })).then(
      failing(kyrgyzCall, {
        rule: 'must-be-non-partisan',
        reason: 'declares: campaigns for a party or candidate',
      }),
    ));

  it('counts an unanswered question against the applicant', () => {
    const { judge: _unanswered, ...answers } = anna.declarations.conflictsOfInterest;
    const silent = {
      ...anna,
      declarations: { ...anna.declarations, conflictsOfInterest: answers },
    } as PersonalData;
    screening(silent).then(
      failing(kyrgyzCall, { rule: 'excluded-occupation', reason: 'did not answer whether: judge' }),
    );
  });

  it('excludes a citizen of the host country', () =>
    screening(applicant({ nationality: 'KG' })).then(
      failing(kyrgyzCall, { rule: 'excluded-nationality', reason: `${HOST_CITIZENS}: citizen of KG` }),
    ));

  it('excludes a dual citizen whose other citizenship is the host country', () =>
    screening(applicant({ nationality: 'DE', otherCitizenships: ['KG'] })).then(
      failing(kyrgyzCall, { rule: 'excluded-nationality', reason: `${HOST_CITIZENS}: citizen of KG` }),
    ));

  it('names every failed rule at once, in the order of the rule set', () =>
    screening(applicant({ nationality: 'KG', declaring: ['judge', 'military', 'party-membership'] })).then(
      failing(
        kyrgyzCall,
        { rule: 'excluded-occupation', reason: 'declares: judge' },
        { rule: 'excluded-occupation', reason: 'declares: military serviceperson' },
        { rule: 'must-be-non-partisan', reason: 'declares: member of a political party' },
        { rule: 'excluded-nationality', reason: `${HOST_CITIZENS}: citizen of KG` },
      ),
    ));
});

describe('excluded states configured by the mission', () => {
  // XA stands in for a state in dispute with the host: a user-assigned ISO code, no real country.
  const rules = withRules(
    { kind: 'excluded-nationality', countries: ['KG'], reason: HOST_CITIZENS },
    { kind: 'excluded-nationality', countries: ['XA'], reason: IN_DISPUTE },
  );

  it('excludes a citizen of a state in dispute with the host', () =>
    screening(applicant({ nationality: 'XA' }), rules).then(
      failing(rules, { rule: 'excluded-nationality', reason: `${IN_DISPUTE}: citizen of XA` }),
    ));

  it('names both rules for a dual citizen of the host and of a disputing state', () =>
    screening(applicant({ nationality: 'KG', otherCitizenships: ['XA'] }), rules).then(
      failing(
        rules,
        { rule: 'excluded-nationality', reason: `${HOST_CITIZENS}: citizen of KG` },
        { rule: 'excluded-nationality', reason: `${IN_DISPUTE}: citizen of XA` },
      ),
    ));

  it('passes a citizen of a third state', () =>
    screening(applicant({ nationality: 'FR', otherCitizenships: ['CA'] }), rules).then(failing(rules)));
});

describe('documents demanded by the host election body (Kazakhstan 2020)', () => {
  const kazakhstan = kazakhstan2020ObserverDocuments(missionId);
  const allFour = [
    'national-id',
    'observer-certificate',
    'charter-extract-observation-goal',
    'proof-of-head-powers',
  ] as const;

  it('passes an applicant with all four documents', () =>
    screening(applicant({ documents: [...allFour] }), kazakhstan).then(failing(kazakhstan)));

  it.each<[(typeof allFour)[number], string]>([
    ['national-id', 'national identity document'],
    ['observer-certificate', 'observer certificate'],
    [
      'charter-extract-observation-goal',
      "extract of the organisation's charter showing observation as a statutory goal",
    ],
    ['proof-of-head-powers', "document certifying the powers of the organisation's head"],
  ])('refuses an applicant without the %s', (missing, label) =>
    screening(applicant({ documents: allFour.filter((d) => d !== missing) }), kazakhstan).then(
      failing(kazakhstan, { rule: 'required-documents', reason: `missing document: ${label}` }),
    ),
  );

  it('names every missing document', () =>
    screening(applicant({ documents: ['passport'] }), kazakhstan).then(
      failing(
        kazakhstan,
        { rule: 'required-documents', reason: 'missing document: national identity document' },
        { rule: 'required-documents', reason: 'missing document: observer certificate' },
        {
          rule: 'required-documents',
          reason:
            "missing document: extract of the organisation's charter showing observation as a statutory goal",
        },
        {
          rule: 'required-documents',
          reason: "missing document: document certifying the powers of the organisation's head",
        },
      ),
    ));
});

describe('minimum age on election day', () => {
  const rules = withRules({ kind: 'minimum-age', years: 21, onDate: '2023-11-30' });
  const tooYoung = { rule: 'minimum-age', reason: 'must be at least 21 years old on 2023-11-30' } as const;

  it('passes someone who turns 21 on election day', () =>
    screening(applicant({ dateOfBirth: '2002-11-30' }), rules).then(failing(rules)));

  it('refuses someone who turns 21 the day after', () =>
    screening(applicant({ dateOfBirth: '2002-12-01' }), rules).then(failing(rules, tooYoung)));

  it('counts someone born on 29 February as of age only from 1 March', () => {
    const leap = withRules({ kind: 'minimum-age', years: 21, onDate: '2025-02-28' });
    screening(applicant({ dateOfBirth: '2004-02-29' }), leap).then(
      failing(leap, { rule: 'minimum-age', reason: 'must be at least 21 years old on 2025-02-28' }),
    );
  });

  it('refuses a date of birth that is not a date', () =>
    screening(applicant({ dateOfBirth: '1980-02-30' }), rules).then(
      failing(rules, { rule: 'minimum-age', reason: 'date of birth is not a valid date: 1980-02-30' }),
    ));
});

describe('required languages', () => {
  const rules = withRules({ kind: 'required-languages', anyOf: ['ru', 'ky'] });

  it('passes someone who speaks one of them', () =>
    screening(applicant({ languages: ['en', 'ru'] }), rules).then(failing(rules)));

  it('refuses someone who speaks none of them', () =>
    screening(applicant({ languages: ['de', 'en'] }), rules).then(
      failing(rules, { rule: 'required-languages', reason: 'speaks none of the required languages: ru, ky' }),
    ));
});
