import { expect, it } from '@jest/globals';
import { schemaDriftOf } from '#testing';
import { IDENTITY_READ_MODEL_TABLES } from './identity.tables.js';
import { LoginFailureSeen, OwnerAddressSeen } from './login-failures.read-model.js';
import { MissionRoleHeld } from './staff-roles.read-model.js';
import { UserAccount } from './users.read-model.js';

it('migrates exactly the tables the identity read models map', async () =>
  expect(
    await schemaDriftOf(IDENTITY_READ_MODEL_TABLES, [
      UserAccount,
      MissionRoleHeld,
      LoginFailureSeen,
      OwnerAddressSeen,
    ]),
  ).toEqual([]));
