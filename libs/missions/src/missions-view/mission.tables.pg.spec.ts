import { expect, it } from '@jest/globals';
import { schemaDriftOf } from '#testing';
import { MissionView } from './missions-view.projection.js';
import { MISSIONS_READ_MODEL_TABLES } from './mission.tables.js';

it('migrates exactly the tables the missions read model maps', async () =>
  expect(await schemaDriftOf(MISSIONS_READ_MODEL_TABLES, [MissionView])).toEqual([]));
