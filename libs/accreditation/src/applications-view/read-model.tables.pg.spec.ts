import { expect, it } from '@jest/globals';
import { schemaDriftOf } from '#testing';
import { ACCREDITATION_READ_MODEL_TABLES } from './read-model.tables.js';
import { ApplicationRow, RuleSetRow } from './applications.projection.js';

it('migrates exactly the tables the accreditation read models map', async () =>
  expect(await schemaDriftOf(ACCREDITATION_READ_MODEL_TABLES, [ApplicationRow, RuleSetRow])).toEqual([]));
