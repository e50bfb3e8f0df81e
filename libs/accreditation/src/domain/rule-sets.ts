/**
 * Example rule sets taken from real calls and host-country rules, as data a secretariat starts from.
 * Each is made for one mission; the rules themselves are plain values, nothing here is code.
 */
import { OCCUPATIONS, type RuleSet } from './eligibility.js';

/** Long-term observers, Kyrgyz Republic, early parliamentary elections of 30 November 2023. */
export const kyrgyzstan2023LtoCall = (missionId: string): RuleSet => ({
  id: 'kg-2023-parliamentary-lto',
  version: 1,
  missionId,
  election: { country: 'KG', kind: 'early-parliamentary', date: '2023-11-30' },
  rules: [
    {
      kind: 'excluded-occupation',
      // The call excludes every post Observa knows of.
      occupations: [...OCCUPATIONS],
    },
    { kind: 'must-be-non-partisan' },
    {
      kind: 'excluded-nationality',
      countries: ['KG'],
      reason: 'citizens of the host country cannot observe for an international mission',
    },
  ],
});

/**
 * Kazakhstan, December 2020 (for the parliamentary elections of 10 January 2021): a civic organisation
 * could register an observer only with these four documents.
 */
export const kazakhstan2020ObserverDocuments = (missionId: string): RuleSet => ({
  id: 'kz-2021-parliamentary-documents',
  version: 1,
  missionId,
  election: { country: 'KZ', kind: 'parliamentary', date: '2021-01-10' },
  rules: [
    {
      kind: 'required-documents',
      documents: [
        'national-id',
        'observer-certificate',
        'charter-extract-observation-goal',
        'proof-of-head-powers',
      ],
    },
  ],
});

/**
 * The Kazakh restriction on photo and video is not a bar to observing but a condition of the badge:
 * it goes on AccreditationGranted, not into a rule set.
 */
export const KAZAKHSTAN_2020_PHOTO_VIDEO_CONDITION =
  'photo and video recording only from the area set by the chair of the precinct election commission';
