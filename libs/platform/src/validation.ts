/** Request DTOs are checked by class-validator; a refusal names each offending field. */
import { applyDecorators, BadRequestException, ValidationPipe } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  buildMessage,
  IsObject,
  ValidateBy,
  ValidateNested,
  type ValidationError,
  type ValidationOptions,
} from 'class-validator';

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

/** The years a date we take can fall in: birth dates of living people, elections past and planned. */
export const CALENDAR_YEARS = { from: 1900, to: 2999 } as const;

/** A day that exists, as YYYY-MM-DD: `2023-02-29`, `2023-02-30` and `0000-00-00` do not. */
export const isCalendarDate = (value: unknown): value is string => {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < CALENDAR_YEARS.from || year > CALENDAR_YEARS.to) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

export const IsCalendarDate = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be a calendar date as YYYY-MM-DD, from ${CALENDAR_YEARS.from} to ${CALENDAR_YEARS.to}`,
          options,
        ),
      },
    },
    options,
  );

/**
 * A field holding one object of class `type`, checked field by field. ValidateNested alone takes a list
 * too (it checks each item, so `[]` passed with no errors and the route met a list where it read fields).
 */
export const NestedObject = (type: () => new () => object): PropertyDecorator =>
  applyDecorators(IsObject(), ValidateNested(), Type(type));
