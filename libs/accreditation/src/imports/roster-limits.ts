/**
 * How much of a list the import reads, checked while the file is read, never after: a 6 KB workbook
 * can claim a million cells and a 10 MB CSV a million columns. A roster has 18 columns and a few
 * thousand rows; everything beyond these bounds is refused at once, by name.
 */
export const ROSTER_LIMITS = {
  /** Rows of data (the header not counted); a larger list is split into several files. */
  rows: 5000,
  /** Columns that may hold a value (the roster has 18). */
  columns: 64,
  /** Characters of one CSV record (a whole line); a roster line is a few hundred. */
  recordCharacters: 64 * 1024,
  /** Cell elements in a worksheet, empty or not. */
  cells: 500_000,
  /** Bytes of one XLSX part once inflated (the sheet, the shared strings, the styles): a 5,000-row roster's sheet is 3 to 6 MB. */
  partBytes: 16 * 1024 * 1024,
  /** Bytes of all the parts read, once inflated. */
  inflatedBytes: 32 * 1024 * 1024,
  /** Entries of the zip a workbook is. */
  zipEntries: 2000,
  /** Shared strings of a workbook (each cell holds at most one). */
  sharedStrings: 500_000,
  /** Characters of all shared strings together. */
  sharedStringCharacters: 16 * 1024 * 1024,
  /** How long reading one file may take. */
  readingMs: 15_000,
} as const;

/** A line of the file as read: its number (the header is 1) and the text of its columns. */
export type RosterLine = { readonly row: number; readonly values: readonly string[] };

/** The file cannot be read as a list at all (as opposed to a row that is wrong). */
export class UnreadableRoster extends Error {
  override readonly name = 'UnreadableRoster';
}

export type RosterLimit = keyof typeof ROSTER_LIMITS;

/** The file is larger than the import reads (413): `limit` names the bound it went past. */
export class RosterTooLarge extends Error {
  override readonly name = 'RosterTooLarge';
  constructor(
    readonly limit: RosterLimit,
    message: string,
  ) {
    super(message);
  }
}

/** Throws RosterTooLarge once reading has taken longer than `readingMs`. */
export const readingDeadline = (now: () => number = Date.now): (() => void) => {
  const end = now() + ROSTER_LIMITS.readingMs;
  return () => {
    if (now() > end)
      throw new RosterTooLarge(
        'readingMs',
        `reading the file took longer than ${ROSTER_LIMITS.readingMs / 1000} s; split it into smaller files`,
      );
  };
};
