/**
 * Errors across the wire (STYLE.md: errors are values with names, mapped to HTTP once, at the edge).
 * The context's process names what its handler threw; the gateway throws the same class again, so its
 * ProblemFilter answers exactly what a standalone process answers. Anything unnamed is our fault: it
 * stays a 500 with the generic body, and the context logs the stack.
 */
import { HttpException } from '@nestjs/common';
import { DOMAIN_ERROR_CLASSES, ValidationFailed, type FieldError } from '#platform';
import type { Failure } from './wire-messages.js';
import { fromWireJson, toWireJson } from './wire-json.js';

export type ErrorClass = new (...args: never[]) => Error;

export const INTERNAL_ERROR = 'InternalError';

/** The domain's named errors (the ones the problem filter maps); a context adds its own with `registerRemoteErrors`. */
const NAMED: readonly ErrorClass[] = DOMAIN_ERROR_CLASSES;
const custom: ErrorClass[] = [];

/** Error classes of a context (subclasses of the named ones keep their own class and fields across the wire). */
export const registerRemoteErrors = (...classes: ErrorClass[]): void => {
  // Bases first: each goes to the front, so a subclass registered with its base is still found first.
  const depth = (type: ErrorClass): number => {
    let n = 0;
    for (
      let p: unknown = Object.getPrototypeOf(type);
      p && p !== Function.prototype;
      p = Object.getPrototypeOf(p)
    )
      n++;
    return n;
  };
  for (const type of [...classes].sort((a, b) => depth(a) - depth(b)))
    if (!custom.includes(type)) custom.unshift(type);
};

/** An error the context's process did not name: what the gateway throws (a 500, its message logged only). */
export class RemoteInternalError extends Error {
  override readonly name = 'RemoteInternalError';
}

const NOT_FIELDS = new Set(['name', 'message', 'stack', 'cause']);

const fieldsOf = (error: Error): Record<string, string> =>
  Object.fromEntries(
    Object.entries(error)
      .filter(([key]) => !NOT_FIELDS.has(key))
      .map(([key, value]) => [key, toWireJson(value)]),
  );

export const failureOf = (error: unknown): Failure => {
  if (error instanceof ValidationFailed)
    return { name: 'ValidationFailed', message: error.message, fields: { errors: toWireJson(error.errors) } };
  if (error instanceof HttpException)
    return {
      name: 'HttpException',
      message: error.message,
      fields: { status: String(error.getStatus()), response: toWireJson(error.getResponse()) },
    };
  const named = [...custom, ...NAMED].find((type) => error instanceof type);
  if (named && error instanceof Error)
    return { name: named.name, message: error.message, fields: fieldsOf(error) };
  return {
    name: INTERNAL_ERROR,
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    fields: {},
  };
};

/** The named error again, with its message and fields; its own constructor is bypassed where it needs more than a message. */
const rebuild = (type: ErrorClass, failure: Failure): Error => {
  let error: Error;
  try {
    error = Reflect.construct(type, [failure.message]) as Error;
  } catch {
    error = Object.create(type.prototype) as Error;
    Object.defineProperty(error, 'name', { value: type.name, writable: true, configurable: true });
  }
  Object.defineProperty(error, 'message', { value: failure.message, writable: true, configurable: true });
  for (const [key, value] of Object.entries(failure.fields))
    (error as unknown as Record<string, unknown>)[key] = fromWireJson(value);
  return error;
};

export const errorOf = (failure: Failure): Error => {
  switch (failure.name) {
    case 'ValidationFailed':
      return new ValidationFailed((fromWireJson(failure.fields.errors ?? '[]') as FieldError[]) ?? []);
    case 'HttpException':
      return new HttpException(
        fromWireJson(failure.fields.response ?? '') ?? failure.message,
        Number(failure.fields.status ?? 500),
      );
  }
  const type = [...custom, ...NAMED].find((candidate) => candidate.name === failure.name);
  return type ? rebuild(type, failure) : new RemoteInternalError(failure.message);
};
