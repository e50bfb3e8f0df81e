/**
 * Reads the lists secretariats keep (CSV, XLSX) into rows of named cells. The first row names the
 * columns; names are compared loosely (`Family name`, `family_name`, `FAMILY-NAME` are one column).
 */
import { setImmediate as turn } from 'node:timers/promises';
import { CsvError, parse } from 'csv-parse';
import { textProblem } from '#event-sourcing';
import { fieldPath } from '#platform';
import type { ImportFormat } from './import-applications.js';
import {
  readingDeadline,
  ROSTER_LIMITS,
  RosterTooLarge,
  UnreadableRoster,
  type RosterLine,
} from './roster-limits.js';
import { readXlsxLines } from './roster-xlsx.js';

export { RosterTooLarge, UnreadableRoster } from './roster-limits.js';

export type RosterRow = { readonly row: number; readonly cells: Readonly<Record<string, string>> };

export const columnName = (header: string): string =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');

const tooManyColumns = (row: number, columns: number) =>
  new RosterTooLarge(
    'columns',
    `row ${row} has ${columns} columns or more; at most ${ROSTER_LIMITS.columns} are read`,
  );
const tooManyRows = () =>
  new RosterTooLarge(
    'rows',
    `the file has more than ${ROSTER_LIMITS.rows} rows; at most ${ROSTER_LIMITS.rows} are taken at once`,
  );
const isBlank = (values: readonly string[]) => values.every((value) => value.trim() === '');

/** Bytes handed to the CSV parser at a time: between them the columns so far are counted, and other requests run. */
const CSV_CHUNK = 16 * 1024;

/**
 * The records of a CSV file, streaming: a record with too many columns is refused while it is still
 * being read (a header of a million commas never becomes a million fields), and reading stops at the
 * first row past the row limit.
 */
const readCsvLines = async (content: Buffer): Promise<RosterLine[]> => {
  const deadline = readingDeadline();
  const lines: RosterLine[] = [];
  let dataRows = 0;
  let failure: unknown;
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: ROSTER_LIMITS.recordCharacters,
    on_record: (record: string[]) => {
      const row = lines.length + 1;
      if (record.length > ROSTER_LIMITS.columns) throw tooManyColumns(row, record.length);
      if (row > 1 && !isBlank(record) && ++dataRows > ROSTER_LIMITS.rows) throw tooManyRows();
      lines.push({ row, values: record });
      return null;
    },
  });
  parser.on('error', (error) => (failure ??= error));
  const ended = new Promise<void>((resolve) => parser.on('end', resolve).on('close', resolve));
  parser.resume();
  for (let offset = 0; offset < content.length && failure === undefined; offset += CSV_CHUNK) {
    parser.write(content.subarray(offset, offset + CSV_CHUNK));
    const open = (parser as unknown as { state: { record: unknown[] } }).state.record.length;
    if (open > ROSTER_LIMITS.columns) failure ??= tooManyColumns(lines.length + 1, open);
    deadline();
    await turn();
  }
  if (failure === undefined) {
    parser.end();
    await ended;
  } else parser.destroy();
  if (failure instanceof RosterTooLarge) throw failure;
  if (failure instanceof CsvError && failure.code === 'CSV_MAX_RECORD_SIZE')
    throw new RosterTooLarge(
      'recordCharacters',
      `a line holds more than ${ROSTER_LIMITS.recordCharacters} characters; a roster's lines are far shorter`,
    );
  if (failure !== undefined)
    throw new UnreadableRoster(`not a readable CSV file: ${(failure as Error).message}`);
  return lines;
};

/** The first line names the columns; blank lines are left out. */
const rowsOf = (lines: readonly RosterLine[], empty: string): RosterRow[] => {
  const [header, ...rest] = lines;
  if (!header || header.row !== 1 || isBlank(header.values)) throw new UnreadableRoster(empty);
  const names = header.values.map(columnName);
  return rest
    .filter((line) => !isBlank(line.values))
    .map((line) => ({
      row: line.row,
      cells: Object.fromEntries(names.map((name, i) => [name, (line.values[i] ?? '').trim()])),
    }));
};

/**
 * The rows of a list, read within ROSTER_LIMITS.
 * @throws UnreadableRoster when the file is no list, RosterTooLarge when it goes past a limit
 */
export const readRoster = async (format: ImportFormat, content: Buffer): Promise<RosterRow[]> =>
  format === 'csv'
    ? rowsOf(await readCsvLines(content), 'the file is empty: the first row must name the columns')
    : rowsOf(await readXlsxLines(content), 'the workbook has no rows: the first row must name the columns');

/**
 * Every cell that holds what storage cannot (a NUL character, a lone UTF-16 surrogate), named
 * `row 4.given_name`. Such a file is refused whole: it is damaged or hostile, not a row with a typo.
 */
export const unstorableCells = (
  rows: readonly RosterRow[],
): { readonly field: string; readonly message: string }[] =>
  rows.flatMap((row) =>
    Object.entries(row.cells).flatMap(([column, text]) => {
      const problem = textProblem(text);
      return problem ? [{ field: fieldPath([`row ${row.row}`, column]), message: problem }] : [];
    }),
  );
