/**
 * Reads the first worksheet of an XLSX workbook as lines of text, streaming: the zip's parts are
 * inflated chunk by chunk and their XML parsed as it comes, and every bound of roster-limits.ts is
 * checked on the way, so a zip bomb or a sheet claiming cells up to XFD1048576 is refused after the
 * first chunk past the bound, never after the whole has been built in memory. Only cells that hold a
 * value are kept. (exceljs builds the whole workbook first; that is what let a 6 KB file take the
 * process down.)
 */
import { StringDecoder } from 'node:string_decoder';
import JSZip from 'jszip';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import {
  readingDeadline,
  ROSTER_LIMITS,
  RosterTooLarge,
  UnreadableRoster,
  type RosterLine,
} from './roster-limits.js';

type Checks = { readonly deadline: () => void; inflated: number };

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** Streams one part of the zip through `write`, refusing it past its declared or inflated bound. */
const streamPart = async (
  zip: JSZip,
  path: string,
  checks: Checks,
  write: (text: string) => void,
): Promise<boolean> => {
  const file = zip.file(path);
  if (!file) return false;
  const declared =
    (file as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0;
  const tooLarge = () =>
    new RosterTooLarge(
      'partBytes',
      `${path} inflates to more than ${ROSTER_LIMITS.partBytes} bytes: the workbook is refused (a zip bomb, or far more than a roster)`,
    );
  if (declared > ROSTER_LIMITS.partBytes) throw tooLarge();
  const decoder = new StringDecoder('utf8');
  const stream = file.nodeStream('nodebuffer');
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const stop = (error: unknown) => {
      stream.pause();
      stream.removeAllListeners('data');
      reject(error instanceof Error ? error : new UnreadableRoster(String(error)));
    };
    stream.on('data', (chunk: Buffer) => {
      try {
        size += chunk.length;
        checks.inflated += chunk.length;
        if (size > ROSTER_LIMITS.partBytes) throw tooLarge();
        if (checks.inflated > ROSTER_LIMITS.inflatedBytes)
          throw new RosterTooLarge(
            'inflatedBytes',
            `the workbook inflates to more than ${ROSTER_LIMITS.inflatedBytes} bytes: it is refused`,
          );
        checks.deadline();
        write(decoder.write(chunk));
      } catch (error) {
        stop(error);
      }
    });
    stream.on('error', (error: unknown) => stop(new UnreadableRoster(`${path}: ${String(error)}`)));
    stream.on('end', () => {
      try {
        write(decoder.end());
        resolve();
      } catch (error) {
        stop(error);
      }
    });
  });
  return true;
};

/** Parses a part's XML as it streams; `on` receives opening tags, text and closing tags by local name. */
const parsePart = async (
  zip: JSZip,
  path: string,
  checks: Checks,
  on: {
    open?: (name: string, attributes: Record<string, string>) => void;
    text?: (text: string) => void;
    close?: (name: string) => void;
  },
): Promise<boolean> => {
  const parser = new SaxesParser();
  parser.on('error', (error) => {
    throw new UnreadableRoster(`${path} is not well-formed XML: ${error.message}`);
  });
  if (on.open)
    parser.on('opentag', (tag) =>
      on.open!(localName(tag.name), (tag as SaxesTagPlain).attributes as Record<string, string>),
    );
  if (on.text) parser.on('text', on.text);
  if (on.close) parser.on('closetag', (tag) => on.close!(localName(tag.name)));
  const found = await streamPart(zip, path, checks, (text) => {
    if (text) parser.write(text);
  });
  if (found) parser.close();
  return found;
};

/** Where the workbook keeps its first sheet, its shared strings and its styles. */
const partsOf = async (zip: JSZip, checks: Checks) => {
  let firstSheet: string | undefined;
  let date1904 = false;
  const found = await parsePart(zip, 'xl/workbook.xml', checks, {
    open: (name, attributes) => {
      if (name === 'sheet' && firstSheet === undefined)
        firstSheet = Object.entries(attributes).find(([key]) => localName(key) === 'id')?.[1];
      if (name === 'workbookPr') date1904 = ['1', 'true'].includes(attributes.date1904 ?? '');
    },
  });
  if (!found) throw new UnreadableRoster('not an XLSX workbook: it has no xl/workbook.xml');
  const targets = new Map<string, string>();
  let sharedStrings = 'xl/sharedStrings.xml';
  let styles = 'xl/styles.xml';
  await parsePart(zip, 'xl/_rels/workbook.xml.rels', checks, {
    open: (name, attributes) => {
      if (name !== 'Relationship' || !attributes.Target) return;
      const target = attributes.Target.startsWith('/')
        ? attributes.Target.slice(1)
        : `xl/${attributes.Target}`;
      targets.set(attributes.Id ?? '', target);
      if (attributes.Type?.endsWith('/sharedStrings')) sharedStrings = target;
      if (attributes.Type?.endsWith('/styles')) styles = target;
    },
  });
  const sheet = (firstSheet !== undefined && targets.get(firstSheet)) || 'xl/worksheets/sheet1.xml';
  return { sheet, sharedStrings, styles, date1904 };
};

/** OOXML writes characters XML cannot hold as `_xHHHH_` (and a literal `_x` as `_x005F_x`). */
const unescaped = (text: string): string =>
  text.includes('_x')
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : text;

/** Text of every <si> (rich text runs joined, phonetic runs left out), within the shared string bounds. */
const readSharedStrings = async (zip: JSZip, path: string, checks: Checks): Promise<string[]> => {
  const strings: string[] = [];
  let characters = 0;
  let current: string | undefined;
  let inText = false;
  let inPhonetic = false;
  await parsePart(zip, path, checks, {
    open: (name) => {
      if (name === 'si') {
        current = '';
        if (strings.length >= ROSTER_LIMITS.sharedStrings)
          throw new RosterTooLarge(
            'sharedStrings',
            `the workbook has more than ${ROSTER_LIMITS.sharedStrings} shared strings`,
          );
      } else if (name === 'rPh') inPhonetic = true;
      else if (name === 't') inText = !inPhonetic;
    },
    text: (text) => {
      if (!inText || current === undefined) return;
      characters += text.length;
      if (characters > ROSTER_LIMITS.sharedStringCharacters)
        throw new RosterTooLarge(
          'sharedStringCharacters',
          `the workbook's shared strings hold more than ${ROSTER_LIMITS.sharedStringCharacters} characters`,
        );
      current += text;
    },
    close: (name) => {
      if (name === 'si' && current !== undefined) {
        strings.push(unescaped(current));
        current = undefined;
      } else if (name === 'rPh') inPhonetic = false;
      else if (name === 't') inText = false;
    },
  });
  return strings;
};

/** Number formats Excel shows as dates without declaring them (ECMA-376 §18.8.30). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57]);
const looksLikeDate = (formatCode: string): boolean =>
  /[dmyhs]/i.test(formatCode.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));

/** For each cell style (the `s` of a cell), whether it shows a number as a date. */
const readDateStyles = async (zip: JSZip, path: string, checks: Checks): Promise<boolean[]> => {
  const custom = new Map<number, string>();
  const styles: number[] = [];
  let inCellXfs = false;
  await parsePart(zip, path, checks, {
    open: (name, attributes) => {
      if (name === 'numFmt') custom.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) {
        if (styles.length >= ROSTER_LIMITS.cells)
          throw new RosterTooLarge('cells', `the workbook has more than ${ROSTER_LIMITS.cells} cell styles`);
        styles.push(Number(attributes.numFmtId ?? 0));
      }
    },
    close: (name) => {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return styles.map((id) =>
    custom.has(id) ? looksLikeDate(custom.get(id)!) : BUILT_IN_DATE_FORMATS.has(id),
  );
};

const DAY_MS = 24 * 60 * 60 * 1000;
const dateOfSerial = (serial: number, date1904: boolean): string => {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const date = new Date(epoch + Math.round(serial * DAY_MS));
  return Number.isNaN(date.getTime()) ? String(serial) : date.toISOString().slice(0, 10);
};

/** "AB12" → column 28; undefined when the reference is not one. */
const columnOf = (reference: string | undefined): number | undefined => {
  const letters = /^([A-Z]{1,3})\d+$/i.exec(reference ?? '')?.[1];
  if (!letters) return undefined;
  let column = 0;
  for (const letter of letters.toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  return column;
};

/** The lines of the first worksheet (row 1 first), each with the values of its columns. */
export const readXlsxLines = async (content: Buffer): Promise<RosterLine[]> => {
  const checks: Checks = { deadline: readingDeadline(), inflated: 0 };
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(content);
  } catch (error) {
    throw new UnreadableRoster(`not a readable XLSX workbook: ${(error as Error).message}`);
  }
  const entries = Object.keys(zip.files).length;
  if (entries > ROSTER_LIMITS.zipEntries)
    throw new RosterTooLarge(
      'zipEntries',
      `the workbook has ${entries} parts; a roster's has a few dozen (at most ${ROSTER_LIMITS.zipEntries})`,
    );
  const parts = await partsOf(zip, checks);
  const shared = await readSharedStrings(zip, parts.sharedStrings, checks);
  const dateStyles = await readDateStyles(zip, parts.styles, checks);

  const lines = new Map<number, string[]>();
  let dataRows = 0;
  let cells = 0;
  let rowNumber = 0;
  let column = 0;
  let cell: { type: string; style: number; text: string; inValue: boolean } | undefined;
  let values: string[] = [];

  const keep = (value: string) => {
    if (value.trim() === '') return;
    if (column > ROSTER_LIMITS.columns)
      throw new RosterTooLarge(
        'columns',
        `row ${rowNumber} has a value in column ${column}; at most ${ROSTER_LIMITS.columns} columns are read`,
      );
    values[column - 1] = value;
  };
  const valueOf = ({ type, style, text }: NonNullable<typeof cell>): string => {
    switch (type) {
      case 's':
        return shared[Number(text)] ?? '';
      case 'inlineStr':
      case 'str':
        return unescaped(text);
      case 'b':
        return text === '1' ? 'true' : 'false';
      case 'e':
        return '';
      case 'd':
        return text.slice(0, 10);
      default: {
        const number = Number(text);
        if (text === '' || Number.isNaN(number)) return text;
        return dateStyles[style] ? dateOfSerial(number, parts.date1904) : String(number);
      }
    }
  };

  const found = await parsePart(zip, parts.sheet, checks, {
    open: (name, attributes) => {
      if (name === 'row') {
        rowNumber = Number(attributes.r) || rowNumber + 1;
        column = 0;
        values = [];
      } else if (name === 'c') {
        cells += 1;
        if (cells > ROSTER_LIMITS.cells)
          throw new RosterTooLarge(
            'cells',
            `the sheet has more than ${ROSTER_LIMITS.cells} cells; a roster of ${ROSTER_LIMITS.rows} rows has far fewer`,
          );
        column = columnOf(attributes.r) ?? column + 1;
        cell = { type: attributes.t ?? 'n', style: Number(attributes.s ?? 0), text: '', inValue: false };
      } else if (cell && (name === 'v' || (name === 't' && cell.type === 'inlineStr'))) cell.inValue = true;
    },
    text: (text) => {
      if (cell?.inValue) {
        if (cell.text.length + text.length > ROSTER_LIMITS.recordCharacters)
          throw new RosterTooLarge(
            'recordCharacters',
            `a cell of row ${rowNumber} holds more than ${ROSTER_LIMITS.recordCharacters} characters`,
          );
        cell.text += text;
      }
    },
    close: (name) => {
      if ((name === 'v' || name === 't') && cell) cell.inValue = false;
      else if (name === 'c' && cell) {
        keep(valueOf(cell));
        cell = undefined;
      } else if (name === 'row' && values.length > 0) {
        if (rowNumber > 1 && ++dataRows > ROSTER_LIMITS.rows)
          throw new RosterTooLarge(
            'rows',
            `the sheet has more than ${ROSTER_LIMITS.rows} rows; at most ${ROSTER_LIMITS.rows} are taken at once`,
          );
        lines.set(rowNumber, values);
      }
    },
  });
  if (!found) throw new UnreadableRoster(`not a readable XLSX workbook: it has no ${parts.sheet}`);
  return [...lines.entries()]
    .sort(([a], [b]) => a - b)
    .map(([row, cellsOfRow]) => ({ row, values: Array.from(cellsOfRow, (value) => value ?? '') }));
};
