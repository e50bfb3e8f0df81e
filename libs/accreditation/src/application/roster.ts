/**
 * Reads the lists secretariats keep (CSV, XLSX) into rows of named cells. The first row names the
 * columns; names are compared loosely (`Family name`, `family_name`, `FAMILY-NAME` are one column).
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { textProblem } from '#event-sourcing';
import { fieldPath } from '#platform';
import type { ImportFormat } from './commands.js';

export type RosterRow = { readonly row: number; readonly cells: Readonly<Record<string, string>> };

/** The file cannot be read as a list at all (as opposed to a row that is wrong). */
export class UnreadableRoster extends Error {
  override readonly name = 'UnreadableRoster';
}

export const columnName = (header: string): string =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_');

const rowsOf = (
  header: readonly string[],
  lines: readonly { row: number; values: string[] }[],
): RosterRow[] => {
  const names = header.map(columnName);
  return lines
    .filter((line) => line.values.some((value) => value.trim() !== ''))
    .map((line) => ({
      row: line.row,
      cells: Object.fromEntries(names.map((name, i) => [name, (line.values[i] ?? '').trim()])),
    }));
};

const readCsv = (content: Buffer): RosterRow[] => {
  let records: string[][];
  try {
    records = parse(content, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    throw new UnreadableRoster(`not a readable CSV file: ${(error as Error).message}`);
  }
  if (records.length === 0)
    throw new UnreadableRoster('the file is empty: the first row must name the columns');
  const [header, ...lines] = records;
  return rowsOf(
    header,
    lines.map((values, i) => ({ row: i + 2, values })),
  );
};

/** A cell as text: dates as YYYY-MM-DD, rich text and formulas by what they show. */
const cellText = (value: ExcelJS.CellValue): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    return '';
  }
  return String(value);
};

const readXlsx = async (content: Buffer): Promise<RosterRow[]> => {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch (error) {
    throw new UnreadableRoster(`not a readable XLSX workbook: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.rowCount === 0)
    throw new UnreadableRoster('the workbook has no rows: the first row must name the columns');
  const width = sheet.getRow(1).cellCount;
  const valuesOf = (row: ExcelJS.Row): string[] =>
    Array.from({ length: Math.max(width, row.cellCount) }, (_, i) => cellText(row.getCell(i + 1).value));
  const header = valuesOf(sheet.getRow(1));
  const lines: { row: number; values: string[] }[] = [];
  for (let n = 2; n <= sheet.rowCount; n++) lines.push({ row: n, values: valuesOf(sheet.getRow(n)) });
  return rowsOf(header, lines);
};

export const readRoster = (format: ImportFormat, content: Buffer): Promise<RosterRow[]> =>
  format === 'csv' ? Promise.resolve(readCsv(content)) : readXlsx(content);

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
