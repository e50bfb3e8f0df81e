/** The roles the guard checks are the roles the missions context grants: the two must not drift apart. */
import { expect, it } from '@jest/globals';
import { STAFF_ROLES } from '#missions';
import { MISSION_ROLES } from './domain/roles.js';

it('knows the same roles the missions context grants', () =>
  expect([...MISSION_ROLES]).toEqual([...STAFF_ROLES]));
