/**
 * Who may observe. Host-country rules differ and change between elections, so a mission's rules are
 * data: a rule set, versioned per mission and election. `screen` applies one to an applicant's facts
 * and names every rule the applicant fails, so a secretariat sees all the reasons at once.
 */

/** Posts whose holders may not observe (the Kyrgyz LTO call of 2023 lists all of them). */
export const OCCUPATIONS = [
  'member-of-parliament',
  'local-council-deputy',
  'candidate',
  'political-or-special-state-post',
  'civil-servant',
  'municipal-servant',
  'election-commission-member',
  'party-or-candidate-representative',
  'judge',
  'prosecutor',
  'law-enforcement-officer',
  'fiscal-officer',
  'military',
] as const;
export type Occupation = (typeof OCCUPATIONS)[number];

/** The conflict-of-interest questions every applicant answers: one per excluded post, two on partisanship. */
export const PARTISANSHIP_QUESTIONS = ['party-membership', 'campaigning-for-party-or-candidate'] as const;
export type PartisanshipQuestion = (typeof PARTISANSHIP_QUESTIONS)[number];
export const CONFLICT_OF_INTEREST_QUESTIONS = [...OCCUPATIONS, ...PARTISANSHIP_QUESTIONS] as const;
export type ConflictOfInterestQuestion = Occupation | PartisanshipQuestion;

/** Documents an applicant (or their organisation) provides; host election bodies ask for some of them. */
export const DOCUMENT_KINDS = [
  'passport',
  'national-id',
  'observer-certificate',
  'charter-extract-observation-goal',
  'proof-of-head-powers',
  'photo',
  'curriculum-vitae',
  'signed-code-of-conduct',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** What the secretariat reads as it screens: the wording of each question, post and document. */
export const QUESTION_LABELS: Record<ConflictOfInterestQuestion, string> = {
  'member-of-parliament': 'member of parliament',
  'local-council-deputy': 'deputy of a local council',
  candidate: 'candidate in this election',
  'political-or-special-state-post': 'holder of a political or special state post',
  'civil-servant': 'civil servant',
  'municipal-servant': 'municipal servant',
  'election-commission-member': 'member of an election commission',
  'party-or-candidate-representative': 'representative of a party or candidate',
  judge: 'judge',
  prosecutor: 'prosecutor',
  'law-enforcement-officer': 'law-enforcement officer',
  'fiscal-officer': 'fiscal officer',
  military: 'military serviceperson',
  'party-membership': 'member of a political party',
  'campaigning-for-party-or-candidate': 'campaigns for a party or candidate',
};
export const DOCUMENT_LABELS: Record<DocumentKind, string> = {
  passport: 'passport',
  'national-id': 'national identity document',
  'observer-certificate': 'observer certificate',
  'charter-extract-observation-goal':
    "extract of the organisation's charter showing observation as a statutory goal",
  'proof-of-head-powers': "document certifying the powers of the organisation's head",
  photo: 'photograph',
  'curriculum-vitae': 'curriculum vitae',
  'signed-code-of-conduct': 'signed code of conduct for observers',
};

export type Rule =
  | { readonly kind: 'excluded-occupation'; readonly occupations: Occupation[] }
  | { readonly kind: 'must-be-non-partisan' }
  /** `reason` says why these states are excluded: host-country citizens, a state in dispute with the host. */
  | { readonly kind: 'excluded-nationality'; readonly countries: string[]; readonly reason: string }
  | { readonly kind: 'required-documents'; readonly documents: DocumentKind[] }
  /** Age in whole years on `onDate` (an ISO date, usually election day). */
  | { readonly kind: 'minimum-age'; readonly years: number; readonly onDate: string }
  /** ISO 639-1 codes; speaking one of them is enough. */
  | { readonly kind: 'required-languages'; readonly anyOf: string[] };
export type RuleKind = Rule['kind'];
export const RULE_KINDS: readonly RuleKind[] = [
  'excluded-occupation',
  'must-be-non-partisan',
  'excluded-nationality',
  'required-documents',
  'minimum-age',
  'required-languages',
];

export type RuleSet = {
  readonly id: string;
  /** Grows by one with every change; a screening records the version it applied. */
  readonly version: number;
  readonly missionId: string;
  readonly election: { readonly country: string; readonly kind: string; readonly date: string };
  readonly rules: Rule[];
};

export type Declarations = {
  readonly conflictsOfInterest: Record<ConflictOfInterestQuestion, boolean>;
  readonly documentsProvided: DocumentKind[];
};

/** Only what screening reads of a person: no names, no document numbers, no contacts. */
export type ApplicantFacts = {
  /** ISO date, YYYY-MM-DD. */
  readonly dateOfBirth: string;
  /** ISO 3166 alpha-2. */
  readonly nationality: string;
  readonly otherCitizenships: readonly string[];
  /** ISO 639-1. */
  readonly languages: readonly string[];
  readonly declarations: Declarations;
};

export type EligibilityFailure = { readonly rule: RuleKind; readonly reason: string };
export type ScreeningResult = { readonly passed: boolean; readonly failures: EligibilityFailure[] };

export const screen = (ruleSet: RuleSet, facts: ApplicantFacts): ScreeningResult => {
  const failures = ruleSet.rules.flatMap((rule) => failuresOf(rule, facts));
  return { passed: failures.length === 0, failures };
};

const failuresOf = (rule: Rule, facts: ApplicantFacts): EligibilityFailure[] => {
  const fail = (reason: string): EligibilityFailure => ({ rule: rule.kind, reason });
  const answers = facts.declarations.conflictsOfInterest;
  // An unanswered question counts against the applicant: eligibility is declared, never presumed.
  const declared = (question: ConflictOfInterestQuestion): EligibilityFailure[] =>
    answers[question] === false
      ? []
      : answers[question] === true
        ? [fail(`declares: ${QUESTION_LABELS[question]}`)]
        : [fail(`did not answer whether: ${QUESTION_LABELS[question]}`)];

  switch (rule.kind) {
    case 'excluded-occupation':
      return rule.occupations.flatMap(declared);
    case 'must-be-non-partisan':
      return PARTISANSHIP_QUESTIONS.flatMap(declared);
    case 'excluded-nationality': {
      const citizenships = new Set(
        [facts.nationality, ...facts.otherCitizenships].map((c) => c.toUpperCase()),
      );
      return rule.countries
        .map((c) => c.toUpperCase())
        .filter((c) => citizenships.has(c))
        .map((c) => fail(`${rule.reason}: citizen of ${c}`));
    }
    case 'required-documents': {
      const provided = new Set(facts.declarations.documentsProvided);
      return rule.documents
        .filter((d) => !provided.has(d))
        .map((d) => fail(`missing document: ${DOCUMENT_LABELS[d]}`));
    }
    case 'minimum-age': {
      const age = ageOn(facts.dateOfBirth, rule.onDate);
      if (age === undefined) return [fail(`date of birth is not a valid date: ${facts.dateOfBirth}`)];
      return age >= rule.years ? [] : [fail(`must be at least ${rule.years} years old on ${rule.onDate}`)];
    }
    case 'required-languages': {
      const spoken = new Set(facts.languages.map((l) => l.toLowerCase()));
      return rule.anyOf.some((l) => spoken.has(l.toLowerCase()))
        ? []
        : [fail(`speaks none of the required languages: ${rule.anyOf.join(', ')}`)];
    }
    default: {
      const unknown: never = rule;
      return [{ rule: (unknown as { kind: RuleKind }).kind, reason: 'rule of an unknown kind' }];
    }
  }
};

/** A calendar date as YYYY-MM-DD that exists (no 30 February). */
export const isIsoDate = (text: unknown): text is string => {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
};

/** Whole years between two ISO dates; someone born on 29 February comes of age on 1 March. */
export const ageOn = (dateOfBirth: string, onDate: string): number | undefined => {
  if (!isIsoDate(dateOfBirth) || !isIsoDate(onDate)) return undefined;
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = onDate.split('-').map(Number);
  const beforeBirthday = m < bm || (m === bm && d < bd);
  return y - by - (beforeBirthday ? 1 : 0);
};
