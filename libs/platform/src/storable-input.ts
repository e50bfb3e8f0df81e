/**
 * The edge refuses, before any route, guard or validator sees it, a request that holds what storage
 * cannot: a NUL character or a lone UTF-16 surrogate in a JSON key or value, in a path parameter or a
 * query string, a number JSON.parse made Infinity of, or a body nested deeper than MAX_BODY_DEPTH.
 * Otherwise such a value passes class-validator, is written (encrypted personal data hides it from the
 * store's own checks) and stalls the projection whose text or jsonb column refuses it, or, nested
 * 10 000 deep, overflows the stack of the first recursive walk (class-transformer) as a 500.
 */
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { findUnstorableJson, textProblem, type JsonPath } from '#event-sourcing';
import { ValidationFailed } from './validation.js';

/**
 * Our deepest request is four levels (a rule's list inside a rule set, a name inside a person); 32 leaves
 * room for deeper forms (checklists with sections of questions) while keeping every recursive walk after
 * the parser (class-transformer, class-validator, canonical JSON) thousands of frames from the stack's
 * end, and below the store's own bound (MAX_JSON_DEPTH, 64) with room for the command around a body.
 */
export const MAX_BODY_DEPTH = 32;

/** `person.contacts.0.value`, as fieldErrors names fields; a name that is itself the problem is escaped. */
export const fieldPath = (path: JsonPath, root?: string): string => {
  const names = path.map((part) =>
    typeof part === 'string' && textProblem(part) ? JSON.stringify(part).slice(1, -1) : String(part),
  );
  return [...(root ? [root] : []), ...names].join('.') || '(body)';
};

/** The body's first unstorable place as a 400 naming it, or undefined when the body can be stored. */
export const unstorableBody = (body: unknown): ValidationFailed | undefined => {
  const found = findUnstorableJson(body, MAX_BODY_DEPTH);
  return found && new ValidationFailed([{ field: fieldPath(found.path), message: found.problem }]);
};

/** Installed right after the JSON parser: checks every parsed body, whatever the route. */
export const refuseUnstorableBody = (request: Request, _response: Response, next: NextFunction): void => {
  next(request.body === undefined ? undefined : unstorableBody(request.body));
};

/**
 * The same check for path parameters and query strings, which reach the guard's and handlers' SQL
 * (a NUL in `:applicationId` made Postgres fail the lookup with a 500). Runs as the first global pipe.
 */
@Injectable()
export class StorableTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'param' && metadata.type !== 'query') return value;
    const found = findUnstorableJson(value, MAX_BODY_DEPTH);
    if (found)
      throw new ValidationFailed([{ field: fieldPath(found.path, metadata.data), message: found.problem }]);
    return value;
  }
}
