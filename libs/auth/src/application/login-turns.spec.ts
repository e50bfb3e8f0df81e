import { describe, expect, it } from '@jest/globals';
import { TooManyLoginAttempts } from '../too-many-logins.js';
import { LoginTurns } from './login-turns.js';

const later = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('login turns', () => {
  it('lets one attempt of an account and address run at a time, in the order they came', async () => {
    const turns = new LoginTurns();
    const log: string[] = [];
    const attempt = (name: string) => async () => {
      log.push(`${name} starts`);
      await later();
      log.push(`${name} ends`);
      return name;
    };
    const answers = await Promise.all(['a', 'b', 'c'].map((name) => turns.take('pair:x', attempt(name))));
    expect(answers).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
    expect(turns.size).toBe(0);
  });

  it('lets other accounts and addresses run alongside', async () => {
    const turns = new LoginTurns();
    let running = 0;
    let most = 0;
    const attempt = async () => {
      most = Math.max(most, ++running);
      await later();
      running--;
    };
    await Promise.all([turns.take('pair:x', attempt), turns.take('pair:y', attempt)]);
    expect(most).toBe(2);
  });

  it('goes on to the next attempt when one fails', async () => {
    const turns = new LoginTurns();
    const failing = turns.take('pair:x', async () => {
      throw new Error('wrong password');
    });
    const next = turns.take('pair:x', async () => 'token');
    await expect(failing).rejects.toThrow('wrong password');
    await expect(next).resolves.toBe('token');
    expect(turns.size).toBe(0);
  });

  it('refuses an attempt past the longest line with 429', async () => {
    const turns = new LoginTurns(2);
    const waiting = [turns.take('pair:x', later), turns.take('pair:x', later)];
    await expect(turns.take('pair:x', later)).rejects.toBeInstanceOf(TooManyLoginAttempts);
    await Promise.all(waiting);
    await expect(turns.take('pair:x', async () => 'ok')).resolves.toBe('ok');
  });
});
