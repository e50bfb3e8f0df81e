import { describe, expect, it } from '@jest/globals';
import { DomainRuleBroken } from '#event-sourcing';
import { specFor } from '#testing';
import { applicationDecider } from './application.decide.js';
import { kyrgyzCall, screenAgainst, submitted } from './application.examples.js';
import { validateRuleSet } from './eligibility.validate.js';
import { kazakhstan2020ObserverDocuments, kyrgyzstan2023LtoCall } from './rule-sets.js';

const withRules = (...rules: unknown[]) => ({ ...kyrgyzCall, rules });

describe('a rule set is checked before anyone is screened against it', () => {
  it('finds nothing wrong with the example rule sets', () => {
    expect(validateRuleSet(kyrgyzstan2023LtoCall('m-1'))).toEqual([]);
    expect(validateRuleSet(kazakhstan2020ObserverDocuments('m-1'))).toEqual([]);
  });

  it('names a rule of an unknown kind', () =>
    expect(validateRuleSet(withRules({ kind: 'must-be-fluent-in-esperanto' }))).toEqual([
      {
        at: 'rules[0].kind',
        problem: expect.stringContaining('"must-be-fluent-in-esperanto" is not a kind of rule'),
      },
    ]));

  it('names every empty list', () =>
    expect(
      validateRuleSet(
        withRules(
          { kind: 'excluded-occupation', occupations: [] },
          { kind: 'excluded-nationality', countries: [], reason: 'host citizens' },
          { kind: 'required-documents', documents: [] },
          { kind: 'required-languages', anyOf: [] },
        ),
      ),
    ).toEqual([
      { at: 'rules[0].occupations', problem: 'must not be empty' },
      { at: 'rules[1].countries', problem: 'must not be empty' },
      { at: 'rules[2].documents', problem: 'must not be empty' },
      { at: 'rules[3].anyOf', problem: 'must not be empty' },
    ]));

  it('names an unknown occupation, document, country or language where it stands', () =>
    expect(
      validateRuleSet(
        withRules(
          { kind: 'excluded-occupation', occupations: ['judge', 'astronaut'] },
          { kind: 'required-documents', documents: ['birth-certificate'] },
          { kind: 'excluded-nationality', countries: ['Kyrgyzstan'], reason: 'host citizens' },
          { kind: 'required-languages', anyOf: ['Russian'] },
        ),
      ),
    ).toEqual([
      { at: 'rules[0].occupations[1]', problem: '"astronaut" is not a known occupation' },
      { at: 'rules[1].documents[0]', problem: '"birth-certificate" is not a known document kind' },
      { at: 'rules[2].countries[0]', problem: '"Kyrgyzstan" is not an ISO 3166 alpha-2 code' },
      { at: 'rules[3].anyOf[0]', problem: '"Russian" is not an ISO 639-1 code' },
    ]));

  it('asks why states are excluded and when an age is counted', () =>
    expect(
      validateRuleSet(
        withRules(
          { kind: 'excluded-nationality', countries: ['KG'], reason: ' ' },
          { kind: 'minimum-age', years: 0, onDate: 'election day' },
        ),
      ),
    ).toEqual([
      { at: 'rules[0].reason', problem: 'must say why these states are excluded' },
      { at: 'rules[1].years', problem: 'must be a whole number of years between 1 and 120' },
      { at: 'rules[1].onDate', problem: 'must be a date as YYYY-MM-DD' },
    ]));

  it('names what is missing around the rules', () =>
    expect(
      validateRuleSet({
        id: '',
        version: 0,
        election: { country: 'kg', kind: '', date: '30.11.2023' },
        rules: [],
      }),
    ).toEqual([
      { at: 'id', problem: 'must be a non-empty text' },
      { at: 'version', problem: 'must be a whole number from 1' },
      { at: 'missionId', problem: 'must be a non-empty text' },
      { at: 'election.country', problem: 'must be an ISO 3166 alpha-2 code such as KG' },
      { at: 'election.kind', problem: 'must be a non-empty text' },
      { at: 'election.date', problem: 'must be a date as YYYY-MM-DD' },
      { at: 'rules', problem: 'must list at least one rule' },
    ]));

  it.each([2_147_483_648, 1e308, -1, 1.5])(
    'refuses version %p: the read model keeps versions in an int column',
    (version) =>
      expect(validateRuleSet({ ...kyrgyzCall, version })).toEqual([
        {
          at: 'version',
          problem:
            version > 1 && Number.isInteger(version)
              ? 'must be at most 2147483647'
              : 'must be a whole number from 1',
        },
      ]),
  );

  it('takes the largest version the column holds', () =>
    expect(validateRuleSet({ ...kyrgyzCall, version: 2_147_483_647 })).toEqual([]));

  it('bounds every text and list, and refuses fields it does not know', () =>
    expect(
      validateRuleSet({
        ...kyrgyzCall,
        id: 'x'.repeat(201),
        note: 'stored along silently before',
        election: { ...kyrgyzCall.election, kind: 'k'.repeat(101), extra: 1 },
        rules: [
          { kind: 'excluded-nationality', countries: Array(301).fill('KG'), reason: 'r'.repeat(2001) },
          { kind: 'must-be-non-partisan', payload: [[[]]] },
        ],
      }),
    ).toEqual([
      { at: 'note', problem: 'is not a field of a rule set' },
      { at: 'id', problem: 'must be at most 200 characters' },
      { at: 'election.extra', problem: 'is not a field of a rule set' },
      { at: 'election.kind', problem: 'must be at most 100 characters' },
      { at: 'rules[0].countries', problem: 'must list at most 300 items' },
      { at: 'rules[0].reason', problem: 'must be at most 2000 characters' },
      { at: 'rules[1].payload', problem: 'is not a field of a rule set' },
    ]));

  it('takes at most 50 rules', () =>
    expect(validateRuleSet(withRules(...Array(51).fill({ kind: 'must-be-non-partisan' })))).toEqual([
      { at: 'rules', problem: 'must list at most 50 rules' },
    ]));

  it('refuses what is not a rule set at all', () =>
    expect(validateRuleSet('everyone may observe')).toEqual([
      { at: '', problem: 'a rule set must be an object' },
    ]));
});

describe('screening refuses a rule set that is missing or wrong', () => {
  const spec = specFor(applicationDecider);

  it('refuses to screen without a rule set', () =>
    spec
      .given([submitted()])
      .when(screenAgainst(null))
      .thenThrows(DomainRuleBroken, 'screening needs a rule set'));

  it('refuses to screen against a rule set with problems, naming them', () =>
    spec
      .given([submitted()])
      .when(screenAgainst({ ...kyrgyzCall, rules: [] }))
      .thenThrows(DomainRuleBroken, 'rules: must list at least one rule'));

  it("refuses to screen against another mission's rule set", () =>
    spec
      .given([submitted()])
      .when(screenAgainst(kyrgyzstan2023LtoCall('another-mission')))
      .thenThrows(DomainRuleBroken, /is for mission another-mission/));
});
