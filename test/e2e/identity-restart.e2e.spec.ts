/** What identity keeps across a restart of the standalone app on the same data folder. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BOOTSTRAP_ADMIN_ID, LOGIN_THROTTLE, userStreamId, type LoginThrottle } from '#auth';
import { eventually, startStandalone, type World } from './harness.js';

describe('identity across a restart (standalone, data on disk)', () => {
  let dataDir: string;
  let world: World | undefined;
  const email = 'guessed@mission.example';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'observa-identity-'));
    world = await startStandalone({ dataDir });
    await world.registerUser(email, 'the-real-password-9');
    for (let attempt = 0; attempt < 4; attempt++)
      expect(
        (await world.http.post('/api/v1/auth/token').send({ email, password: `guess-${attempt}` })).status,
      ).toBe(401);
    await eventually(async () => {
      const [{ count }] = await world!.dataSource.query(
        'SELECT count(*)::int AS count FROM auth_login_failures',
      );
      expect(count).toBe(4);
    });
    await world.close();
    world = await startStandalone({ dataDir });
  });
  afterAll(async () => {
    await world?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the administrator once, on the first start only', async () => {
    const events = await world!.store.readStream(userStreamId(BOOTSTRAP_ADMIN_ID));
    expect(events.filter((e) => e.type === 'UserRegistered')).toHaveLength(1);
    expect(typeof (await world!.asAdmin())).toBe('string');
  });

  it('remembers the failed logins of the last window: the throttle holds after the restart', async () => {
    expect(world!.app.get<LoginThrottle>(LOGIN_THROTTLE).size).toBeGreaterThanOrEqual(2);
    // Four failures before the restart: the fifth is slowed, or (if the restart took long) the sixth.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 2 && !statuses.includes(429); attempt++)
      statuses.push(
        (await world!.http.post('/api/v1/auth/token').send({ email, password: `after-${attempt}` })).status,
      );
    expect(statuses).toContain(429);
  });
});
