/** Request DTOs are checked by class-validator; a refusal names each offending field. */
import { BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

export type FieldError = { readonly field: string; readonly message: string };

export class ValidationFailed extends BadRequestException {
  constructor(readonly errors: readonly FieldError[]) {
    super({ message: `invalid ${[...new Set(errors.map((e) => e.field))].join(', ')}`, errors });
  }
}

/** Nested fields are named by path: `station.code`, `answers.2.value`. */
export const fieldErrors = (errors: readonly ValidationError[], parent?: string): FieldError[] =>
  errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });

/** Unknown fields are refused, not dropped silently; payloads become their DTO classes. */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailed(fieldErrors(errors)),
  });
