/**
 * Tells a failure that may pass (the database went away, a serialization conflict, a deadlock) from
 * one that will happen again with the same event. Only the second kind parks an event: parking an
 * event because the connection dropped would put a good event aside for nothing.
 */
import { messageOf } from '../error-message.js';
import { storableCopyOf } from '../storable-json.js';

/**
 * SQLSTATE classes and codes that say nothing about the event: connection exceptions (08),
 * serialization failure and deadlock (40001, 40P01), insufficient resources (53), lock not
 * available (55P03), statement cancelled or server shutting down (57014, 57P01-57P03), system
 * errors such as I/O (58).
 */
const TRANSIENT_SQLSTATE = /^(08|53|58|40001$|40P01$|55P03$|57014$|57P0[123]$)/;

/** Node's socket errors and what pg says when its connection or pool is gone. */
const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const TRANSIENT_MESSAGES =
  /Connection terminated|connection error|is not queryable|timeout exceeded when trying to connect|Client was closed|after calling end on the pool|Connection is not established|DataSource is not initialized/i;

type Failure = { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };

export const isTransientFailure = (error: unknown, depth = 0): boolean => {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  const { code, message, driverError, cause } = error as Failure;
  if (typeof code === 'string' && (TRANSIENT_SQLSTATE.test(code) || TRANSIENT_NODE_CODES.has(code)))
    return true;
  if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
  return isTransientFailure(driverError, depth + 1) || isTransientFailure(cause, depth + 1);
};

/**
 * One line an operator can act on: the error's name, its SQLSTATE when the database raised it, its
 * message. Cleaned so that Postgres can store it: a message may quote the very NUL or lone surrogate
 * that made the event fail.
 */
export const describeFailure = (error: unknown): string => {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as Failure & { name?: unknown };
  const name = typeof failure.name === 'string' ? failure.name : 'Error';
  const code =
    typeof failure.code === 'string' && /^[0-9A-Z]{5}$/.test(failure.code) ? ` [${failure.code}]` : '';
  const message = messageOf(error);
  // Cut first, then clean: a cut through a surrogate pair leaves a lone half, which cleaning replaces.
  return storableCopyOf(`${name}${code}: ${message}`.slice(0, 4000));
};
