/**
 * Lists are paged with a cursor (DESIGN.md §7): `?limit=&cursor=` in, `{items, nextCursor}` out, walked in
 * a stable order that ends in a unique key, read with keyset pagination (`WHERE (k…, id) > (…) ORDER BY
 * k…, id LIMIT n+1`) so a page costs the same at row 40,000 as at row 1 and rows written between two pages
 * are neither skipped nor repeated. The route checks the parameters; the query handler, which knows the
 * order, reads the page and writes the next cursor.
 */
import { createHash } from 'node:crypto';
import type { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { textProblem } from '#event-sourcing';
import { ValidationFailed } from './validation.js';

export const PAGE_LIMITS = { default: 50, max: 500 } as const;

/**
 * A page stops adding items once its JSON would pass this many bytes, whatever `limit` says; only
 * `nextCursor: null` means the end. Why: in the distributed mode a page crosses gRPC as one message
 * capped at 32 MiB (libs/contracts grpc-endpoint.ts), and `limit` alone cannot keep under it. An
 * application is about 720 bytes of JSON as secretariats fill them in (12,000 rows made 8.6 MB), so
 * 500 of them are about 360 KB; but its fields may hold, within their own limits, 50 rules' failures
 * of up to 2,000 characters each per citizenship (11), 50 conditions of 1,000 characters and 20
 * contacts of 320, where a control character is written as 6 bytes (`\u0001`): some 7 MB for one
 * item, 3.5 GB for 500. With this budget a page is at most 4 MiB plus the one item that crosses it
 * (< 8 MiB, see above): under 12 MiB, far below 32 MiB. A rule set is bounded by the request body
 * limit it was published under (1 MiB by default).
 */
export const PAGE_BYTES = 4 * 1024 * 1024;

/** A cursor is base64url; ours are under 600 characters (the longest sort key is a 200-character name). */
const CURSOR = /^[A-Za-z0-9_-]+$/;
const CURSOR_MAX_LENGTH = 2048;

/** `?limit=&cursor=` of a list route; a route with filters extends it. */
export class PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: PAGE_LIMITS.max,
    default: PAGE_LIMITS.default,
    description: 'at most this many items (a page may hold fewer; only nextCursor null means the end)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: `limit must be a whole number from 1 to ${PAGE_LIMITS.max}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${PAGE_LIMITS.max}` })
  @Max(PAGE_LIMITS.max, { message: `limit must be a whole number from 1 to ${PAGE_LIMITS.max}` })
  readonly limit?: number;

  @ApiPropertyOptional({
    description: 'the nextCursor of the previous page of the same list; leave out for the first page',
  })
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH, { message: 'cursor is not one this list gave out' })
  @Matches(CURSOR, { message: 'cursor is not one this list gave out' })
  readonly cursor?: string;
}

/** What a list query carries: plain data, so it crosses to a context's process unchanged. */
export type PageRequest = { readonly limit: number; readonly cursor: string | null };

export type Page<Item> = { readonly items: Item[]; readonly nextCursor: string | null };

/** The page request of a list route: its defaults applied. */
export const pageRequestOf = (query: PageQuery | undefined): PageRequest => ({
  limit: query?.limit ?? PAGE_LIMITS.default,
  cursor: query?.cursor ?? null,
});

/** The named OpenAPI schema of a list's answer, e.g. `pageSchema('MissionPage', MissionSummaryView)`. */
export const pageSchema = (name: string, item: ClassType): ClassType => {
  class PageSchema {
    @ApiProperty({ type: [item] }) readonly items!: unknown[];
    @ApiProperty({
      type: String,
      nullable: true,
      description: 'pass as `cursor` for the next page; null on the last page',
    })
    readonly nextCursor!: string | null;
  }
  Object.defineProperty(PageSchema, 'name', { value: name });
  return PageSchema;
};

/** A cursor this list did not give out (altered, cut, of another list, mission or filter): 400 naming `cursor`. */
export class InvalidCursor extends ValidationFailed {
  constructor(why: string) {
    super([{ field: 'cursor', message: `cursor ${why}; start again without it` }]);
  }
}

/** One part of a list's order: a SQL expression of the query's alias, its type, and its value in a row. */
export type SortKey<Row> = {
  readonly sql: string;
  readonly type: 'text' | 'timestamptz' | 'boolean';
  readonly of: (row: Row) => string | boolean;
};

/** A list's order, ascending on every key; the last key must be unique (the row's id). */
export type Keyset<Row> = { readonly list: string; readonly keys: readonly SortKey<Row>[] };

type KeyValue = string | boolean;

/** The longest text key we sort by is a 200-character name or id; anything longer was not written by us. */
const MAX_KEY_LENGTH = 1000;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

const fitsKey = (type: SortKey<unknown>['type'], value: unknown): value is KeyValue => {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamptz':
      return typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));
    case 'text':
      // Postgres refuses NUL in text and a lone surrogate: they would be a 500, not a page.
      return typeof value === 'string' && value.length <= MAX_KEY_LENGTH && textProblem(value) === undefined;
  }
};

/**
 * The check binds a cursor to its list, the list's scope (mission, filters) and its own values: an
 * altered cursor is refused rather than read as another position. It is a digest, not a signature: a
 * cursor forged with the format in hand only starts the same list, which the caller may read anyway,
 * somewhere else; what a list shows is decided by the route's mission and filters, never by the cursor.
 */
const checkOf = (list: string, scope: unknown, values: readonly KeyValue[]): string =>
  createHash('sha256')
    .update(JSON.stringify([list, scope, values]))
    .digest('base64url')
    .slice(0, 16);

const VERSION = 1;

export const encodeCursor = <Row>(keyset: Keyset<Row>, scope: unknown, values: readonly KeyValue[]): string =>
  Buffer.from(JSON.stringify([VERSION, ...values, checkOf(keyset.list, scope, values)])).toString(
    'base64url',
  );

export const decodeCursor = <Row>(keyset: Keyset<Row>, scope: unknown, cursor: string): KeyValue[] => {
  if (cursor.length > CURSOR_MAX_LENGTH || !CURSOR.test(cursor))
    throw new InvalidCursor('is not one this list gave out');
  const bytes = Buffer.from(cursor, 'base64url');
  // Base64 can spell the same bytes more than one way: only the spelling we gave out is ours.
  if (bytes.toString('base64url') !== cursor) throw new InvalidCursor('is not one this list gave out');
  let decoded: unknown;
  try {
    decoded = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidCursor('is not one this list gave out');
  }
  if (!Array.isArray(decoded) || decoded.length !== keyset.keys.length + 2 || decoded[0] !== VERSION)
    throw new InvalidCursor('is not one this list gave out');
  const values = decoded.slice(1, -1) as unknown[];
  if (!values.every((value, i) => fitsKey(keyset.keys[i].type, value)))
    throw new InvalidCursor('is not one this list gave out');
  if (decoded.at(-1) !== checkOf(keyset.list, scope, values as KeyValue[]))
    throw new InvalidCursor('belongs to another list, mission or filter, or was altered');
  return values as KeyValue[];
};

const outOfRange = (limit: number): boolean =>
  !Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMITS.max;

/**
 * The page of `query` (already filtered to what the caller may see) after the cursor, in the keyset's
 * order. `scope` is what else makes the list this list (mission, filters): a cursor of another is refused.
 * `views` turns the page's rows into items in one go (personal data is opened for a page at once), and
 * may drop a row (null) that a filter SQL cannot apply turns away, such as one on sealed data: a page
 * may then hold fewer items than `limit`, or none, and only a null `nextCursor` says the list is done.
 */
export const readPage = async <Row extends ObjectLiteral, Item>(
  query: SelectQueryBuilder<Row>,
  keyset: Keyset<Row>,
  scope: unknown,
  page: PageRequest,
  views: (rows: readonly Row[]) => Promise<readonly (Item | null)[]> | readonly (Item | null)[],
): Promise<Page<Item>> => {
  // The route checked these already; a caller of the bus that did not is refused the same way.
  if (outOfRange(page.limit))
    throw new ValidationFailed([
      { field: 'limit', message: `limit must be a whole number from 1 to ${PAGE_LIMITS.max}` },
    ]);
  if (page.cursor !== null) {
    const after = decodeCursor(keyset, scope, page.cursor);
    const parameters = Object.fromEntries(after.map((value, i) => [`after${i}`, value]));
    const row = keyset.keys.map((key) => key.sql).join(', ');
    const values = keyset.keys.map((key, i) => `CAST(:after${i} AS ${key.type})`).join(', ');
    query.andWhere(`(${row}) > (${values})`, parameters);
  }
  keyset.keys.forEach((key, i) =>
    i === 0 ? query.orderBy(key.sql, 'ASC') : query.addOrderBy(key.sql, 'ASC'),
  );
  const rows = await query.limit(page.limit + 1).getMany();
  const seen = await views(rows.slice(0, page.limit));
  const items: Item[] = [];
  let bytes = 2;
  let taken = 0; // rows this page has gone past: put in, or turned away
  for (const item of seen) {
    if (item !== null) {
      bytes += Buffer.byteLength(JSON.stringify(item)) + 1;
      if (items.length > 0 && bytes > PAGE_BYTES) break;
      items.push(item);
    }
    taken++;
  }
  const more = rows.length > taken;
  const last = rows[taken - 1];
  return {
    items,
    nextCursor:
      more && last
        ? encodeCursor(
            keyset,
            scope,
            keyset.keys.map((key) => key.of(last)),
          )
        : null,
  };
};
