import { describe, expect, it } from '@jest/globals';
import { authorize, isMissionId, MISSION_ROLES, type MissionRole, type Principal } from './roles.js';

const own = 'mission-kg-2023';
const other = 'mission-kz-2020';

const member = (...roles: MissionRole[]): Principal => ({
  userId: 'user-1',
  email: 'member@example.org',
  missionRoles: new Map([[own, new Set(roles)]]),
});
const admin: Principal = {
  userId: 'user-0',
  email: 'admin@example.org',
  platformRole: 'admin',
  missionRoles: new Map(),
};

describe('authorize', () => {
  describe.each(MISSION_ROLES)('a %s of the mission', (held) => {
    it.each(MISSION_ROLES)(`is allowed exactly where %s is allowed, in its own mission`, (allowed) =>
      expect(authorize(member(held), own, [allowed])).toBe(held === allowed ? 'allowed' : 'forbidden'),
    );

    it.each(MISSION_ROLES)(`does not see another mission, even where %s is allowed`, (allowed) =>
      expect(authorize(member(held), other, [allowed])).toBe('not-found'),
    );

    it('is allowed where any of several roles is, its own among them', () =>
      expect(authorize(member(held), own, [...MISSION_ROLES])).toBe('allowed'));
  });

  describe('the platform administrator', () => {
    it.each(MISSION_ROLES)('is allowed where %s is allowed, in any mission', (allowed) => {
      expect(authorize(admin, own, [allowed])).toBe('allowed');
      expect(authorize(admin, other, [allowed])).toBe('allowed');
    });

    it('is allowed where no mission role is', () => expect(authorize(admin, own, [])).toBe('allowed'));
  });

  it('lets a person with several roles act with any of them', () => {
    const lead = member('team_lead', 'observer');
    expect(authorize(lead, own, ['observer'])).toBe('allowed');
    expect(authorize(lead, own, ['team_lead'])).toBe('allowed');
    expect(authorize(lead, own, ['secretariat'])).toBe('forbidden');
  });

  it('allows no member where no mission role is allowed', () =>
    expect(authorize(member(...MISSION_ROLES), own, [])).toBe('forbidden'));

  it('treats a member whose every role was withdrawn as a stranger', () =>
    expect(authorize(member(), own, ['observer'])).toBe('not-found'));
});

describe('isMissionId', () => {
  const id = '5f0c2d1e-8a43-4b7e-9a51-2f8d3c6b1a90';
  it('takes a lowercase UUID', () => expect(isMissionId(id)).toBe(true));
  it.each([
    ['upper case', id.toUpperCase()],
    ['a character before', `x${id}`],
    ['a character after', `${id}x`],
    ['a newline after', `${id}\n`],
    ['no dashes', id.replaceAll('-', '')],
    ['a short group', id.slice(1)],
    ['a letter past f', id.replace('5f0c', '5g0c')],
    ['empty', ''],
  ])('refuses %s', (_, value) => expect(isMissionId(value)).toBe(false));
});
