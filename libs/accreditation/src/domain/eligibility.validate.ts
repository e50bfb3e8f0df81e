/**
 * A rule set arrives as data (typed by a secretariat, imported, read from a store), so before anyone
 * is screened against it, it is checked: every problem is named with where it is, none are fixed silently.
 */
import { DOCUMENT_KINDS, isIsoDate, OCCUPATIONS, RULE_KINDS, type RuleSet } from './eligibility.js';

export type RuleSetProblem = { readonly at: string; readonly problem: string };

const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2}$/;

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

export const validateRuleSet = (candidate: unknown): RuleSetProblem[] => {
  if (!isObject(candidate)) return [{ at: '', problem: 'a rule set must be an object' }];
  const problems: RuleSetProblem[] = [];
  const problem = (at: string, text: string) => problems.push({ at, problem: text });

  if (!isText(candidate.id)) problem('id', 'must be a non-empty text');
  if (!Number.isInteger(candidate.version) || (candidate.version as number) < 1)
    problem('version', 'must be a whole number from 1');
  if (!isText(candidate.missionId)) problem('missionId', 'must be a non-empty text');

  const election = candidate.election;
  if (!isObject(election)) problem('election', 'must say which election: country, kind, date');
  else {
    if (typeof election.country !== 'string' || !COUNTRY.test(election.country))
      problem('election.country', 'must be an ISO 3166 alpha-2 code such as KG');
    if (!isText(election.kind)) problem('election.kind', 'must be a non-empty text');
    if (!isIsoDate(election.date)) problem('election.date', 'must be a date as YYYY-MM-DD');
  }

  const rules = candidate.rules;
  if (!Array.isArray(rules) || rules.length === 0) problem('rules', 'must list at least one rule');
  else rules.forEach((rule, index) => ruleProblems(rule, `rules[${index}]`, problem));
  return problems;
};

/** A rule set that has problems is not one anyone can be screened against. */
export const isValidRuleSet = (candidate: unknown): candidate is RuleSet =>
  validateRuleSet(candidate).length === 0;

const ruleProblems = (rule: unknown, at: string, problem: (at: string, text: string) => void): void => {
  if (!isObject(rule)) return problem(at, 'a rule must be an object');
  const list = (field: string, known: (item: unknown) => boolean, what: string): void => {
    const items = rule[field];
    if (!Array.isArray(items) || items.length === 0) return problem(`${at}.${field}`, 'must not be empty');
    items.forEach((item, i) => {
      if (!known(item)) problem(`${at}.${field}[${i}]`, `${JSON.stringify(item)} is not ${what}`);
    });
  };

  switch (rule.kind) {
    case 'excluded-occupation':
      return list(
        'occupations',
        (o) => (OCCUPATIONS as readonly unknown[]).includes(o),
        'a known occupation',
      );
    case 'must-be-non-partisan':
      return;
    case 'excluded-nationality':
      list('countries', (c) => typeof c === 'string' && COUNTRY.test(c), 'an ISO 3166 alpha-2 code');
      if (!isText(rule.reason)) problem(`${at}.reason`, 'must say why these states are excluded');
      return;
    case 'required-documents':
      return list(
        'documents',
        (d) => (DOCUMENT_KINDS as readonly unknown[]).includes(d),
        'a known document kind',
      );
    case 'minimum-age':
      if (!Number.isInteger(rule.years) || (rule.years as number) < 1 || (rule.years as number) > 120)
        problem(`${at}.years`, 'must be a whole number of years between 1 and 120');
      if (!isIsoDate(rule.onDate)) problem(`${at}.onDate`, 'must be a date as YYYY-MM-DD');
      return;
    case 'required-languages':
      return list('anyOf', (l) => typeof l === 'string' && LANGUAGE.test(l), 'an ISO 639-1 code');
    default:
      return problem(
        `${at}.kind`,
        `${JSON.stringify(rule.kind)} is not a kind of rule (${RULE_KINDS.join(', ')})`,
      );
  }
};
