/** The 429 for a login the throttle refused, with the `Retry-After` the client should honour. */
import type { ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';

export class TooManyLoginAttempts extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed logins: try again in ${retryAfterSeconds} seconds.`, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** Sets `Retry-After` on the response (the problem filter keeps it) and returns the error to throw. */
export const refuseLogin = (response: ServerResponse, retryAfterSeconds: number): TooManyLoginAttempts => {
  response.setHeader('Retry-After', String(retryAfterSeconds));
  return new TooManyLoginAttempts(retryAfterSeconds);
};
