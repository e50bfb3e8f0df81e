/**
 * A rule set arrives as data (typed by a secretariat, imported, read from a store), so before anyone
 * is screened against it, it is checked: every problem is named with where it is, none are fixed silently.
 */
import {
  DOCUMENT_KINDS,
  isIsoDate,
  OCCUPATIONS,
  RULE_KINDS,
  type RuleKind,
  type RuleSet,
} from './eligibility.js';

export type RuleSetProblem = { readonly at: string; readonly problem: string };

const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2}$/;

/**
 * What a rule set can hold, bounded by where it is kept: the version in the read model's `int` column,
 * the id in a screening's reference (as long as the screen request takes), a list no longer than there
 * are countries or languages to name.
 */
export const RULE_SET_LIMITS = {
  version: 2_147_483_647,
  idLength: 200,
  kindLength: 100,
  reasonLength: 2000,
  rules: 50,
  listItems: 300,
} as const;

/** The fields each part may have: anything else is refused, not stored along silently. */
const RULE_SET_FIELDS = ['id', 'version', 'missionId', 'election', 'rules'];
const ELECTION_FIELDS = ['country', 'kind', 'date'];
const RULE_FIELDS: Record<RuleKind, readonly string[]> = {
  'excluded-occupation': ['occupations'],
  'must-be-non-partisan': [],
  'excluded-nationality': ['countries', 'reason'],
  'required-documents': ['documents'],
  'minimum-age': ['years', 'onDate'],
  'required-languages': ['anyOf'],
};

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
type Problem = (at: string, text: string) => void;

/** A non-empty text within its bound; `empty` says what is missing when it is blank. */
const checkText = (
  problem: Problem,
  at: string,
  value: unknown,
  maxLength: number,
  empty = 'must be a non-empty text',
): void => {
  if (typeof value !== 'string' || value.trim().length === 0) problem(at, empty);
  else if (value.length > maxLength) problem(at, `must be at most ${maxLength} characters`);
};

const checkFields = (fields: Fields, known: readonly string[], at: string, problem: Problem): void => {
  for (const field of Object.keys(fields))
    if (!known.includes(field)) problem(at ? `${at}.${field}` : field, 'is not a field of a rule set');
};

export const validateRuleSet = (candidate: unknown): RuleSetProblem[] => {
  if (!isObject(candidate)) return [{ at: '', problem: 'a rule set must be an object' }];
  const problems: RuleSetProblem[] = [];
  const problem = (at: string, text: string) => problems.push({ at, problem: text });

  checkFields(candidate, RULE_SET_FIELDS, '', problem);
  checkText(problem, 'id', candidate.id, RULE_SET_LIMITS.idLength);
  if (!Number.isInteger(candidate.version) || (candidate.version as number) < 1)
    problem('version', 'must be a whole number from 1');
  else if ((candidate.version as number) > RULE_SET_LIMITS.version)
    problem('version', `must be at most ${RULE_SET_LIMITS.version}`);
  checkText(problem, 'missionId', candidate.missionId, RULE_SET_LIMITS.idLength);

  const election = candidate.election;
  if (!isObject(election)) problem('election', 'must say which election: country, kind, date');
  else {
    checkFields(election, ELECTION_FIELDS, 'election', problem);
    if (typeof election.country !== 'string' || !COUNTRY.test(election.country))
      problem('election.country', 'must be an ISO 3166 alpha-2 code such as KG');
    checkText(problem, 'election.kind', election.kind, RULE_SET_LIMITS.kindLength);
    if (!isIsoDate(election.date)) problem('election.date', 'must be a date as YYYY-MM-DD');
  }

  const rules = candidate.rules;
  if (!Array.isArray(rules) || rules.length === 0) problem('rules', 'must list at least one rule');
  else if (rules.length > RULE_SET_LIMITS.rules)
    problem('rules', `must list at most ${RULE_SET_LIMITS.rules} rules`);
  else rules.forEach((rule, index) => ruleProblems(rule, `rules[${index}]`, problem));
  return problems;
};

/** A rule set that has problems is not one anyone can be screened against. */
export const isValidRuleSet = (candidate: unknown): candidate is RuleSet =>
  validateRuleSet(candidate).length === 0;

const ruleProblems = (rule: unknown, at: string, problem: Problem): void => {
  if (!isObject(rule)) return problem(at, 'a rule must be an object');
  const list = (field: string, known: (item: unknown) => boolean, what: string): void => {
    const items = rule[field];
    if (!Array.isArray(items) || items.length === 0) return problem(`${at}.${field}`, 'must not be empty');
    if (items.length > RULE_SET_LIMITS.listItems)
      return problem(`${at}.${field}`, `must list at most ${RULE_SET_LIMITS.listItems} items`);
    items.forEach((item, i) => {
      if (!known(item)) problem(`${at}.${field}[${i}]`, `${JSON.stringify(item)} is not ${what}`);
    });
  };

  const known = (RULE_KINDS as readonly unknown[]).includes(rule.kind)
    ? RULE_FIELDS[rule.kind as RuleKind]
    : [];
  checkFields(rule, ['kind', ...known], at, problem);

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
      return checkText(
        problem,
        `${at}.reason`,
        rule.reason,
        RULE_SET_LIMITS.reasonLength,
        'must say why these states are excluded',
      );
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
