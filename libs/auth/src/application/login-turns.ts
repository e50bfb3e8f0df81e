/**
 * One login attempt per account and address at a time. The throttle counts an admitted attempt as a failure
 * until it succeeds; taken in turns, a burst of parallel correct logins (a client retrying, a page opened in
 * several tabs) waits a password check each instead of being counted as guesses. A line longer than
 * `maxWaiting` is refused: nobody needs that many logins at once.
 */
import { TooManyLoginAttempts } from '../too-many-logins.js';

export class LoginTurns {
  private readonly lines = new Map<string, { tail: Promise<unknown>; waiting: number }>();

  constructor(private readonly maxWaiting = 16) {}

  async take<T>(key: string, attempt: () => Promise<T>): Promise<T> {
    const line = this.lines.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
    if (line.waiting >= this.maxWaiting) throw new TooManyLoginAttempts(1);
    line.waiting++;
    this.lines.set(key, line);
    const turn = line.tail.then(attempt, attempt);
    line.tail = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      if (--line.waiting === 0) this.lines.delete(key);
    }
  }

  /** Lines with attempts in them (to see that none is left behind). */
  get size(): number {
    return this.lines.size;
  }
}
