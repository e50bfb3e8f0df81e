/** Reading the lists secretariats keep: what a spreadsheet shows is what a row holds, within the limits. */
import { describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { ROSTER_LIMITS } from './roster-limits.js';
import { readRoster, RosterTooLarge, UnreadableRoster } from './roster.js';

const workbookOf = async (rows: ExcelJS.CellValue[][], date1904 = false): Promise<Buffer> => {
  const workbook = new ExcelJS.Workbook();
  workbook.properties.date1904 = date1904;
  const sheet = workbook.addWorksheet('observers');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
};

describe('readRoster', () => {
  it('reads a workbook as Excel shows it: dates, rich text, numbers, escapes, gaps', async () => {
    const file = await workbookOf([
      ['Given Name', 'Family-Name', 'date of birth', 'document_number', 'note'],
      [
        'Matti',
        { richText: [{ text: 'Vir' }, { font: { bold: true }, text: 'tanen' }] },
        new Date(Date.UTC(1972, 6, 1)),
        123456,
        'a_x005F_xb',
      ],
      [],
      ['Lina', 'Berzina', '1988-03-04', 'LV5566778', true],
    ]);
    expect(await readRoster('xlsx', file)).toEqual([
      {
        row: 2,
        cells: {
          given_name: 'Matti',
          family_name: 'Virtanen',
          date_of_birth: '1972-07-01',
          document_number: '123456',
          note: 'a_xb',
        },
      },
      {
        row: 4,
        cells: {
          given_name: 'Lina',
          family_name: 'Berzina',
          date_of_birth: '1988-03-04',
          document_number: 'LV5566778',
          note: 'true',
        },
      },
    ]);
  });

  it('counts dates from 1904 when the workbook says so', async () => {
    const file = await workbookOf([['date_of_birth'], [new Date(Date.UTC(1972, 6, 1))]], true);
    expect((await readRoster('xlsx', file))[0].cells.date_of_birth).toBe('1972-07-01');
  });

  it('reads a CSV, leaving blank lines out and numbering rows as the file does', async () => {
    const csv = '\uFEFFgiven_name,family_name\nJana,Novakova\n,\nPiotr,"Kowal, czyk"\n';
    expect(await readRoster('csv', Buffer.from(csv))).toEqual([
      { row: 2, cells: { given_name: 'Jana', family_name: 'Novakova' } },
      { row: 4, cells: { given_name: 'Piotr', family_name: 'Kowal, czyk' } },
    ]);
  });

  it('refuses what is no list, and an empty one', async () => {
    await expect(readRoster('xlsx', Buffer.from('not a zip'))).rejects.toBeInstanceOf(UnreadableRoster);
    await expect(readRoster('csv', Buffer.from('a,"b\n'))).rejects.toBeInstanceOf(UnreadableRoster);
    await expect(readRoster('csv', Buffer.alloc(0))).rejects.toThrow(/the first row must name the columns/);
  });

  it('takes 5,000 rows and refuses the 5,001st, naming the limit', async () => {
    const rows = (n: number) =>
      Buffer.from(['given_name', ...Array.from({ length: n }, (_, i) => `Given${i}`)].join('\n'));
    expect(await readRoster('csv', rows(ROSTER_LIMITS.rows))).toHaveLength(ROSTER_LIMITS.rows);
    await expect(readRoster('csv', rows(ROSTER_LIMITS.rows + 1))).rejects.toMatchObject({
      limit: 'rows',
    });
    const sheet = await workbookOf([
      ['given_name'],
      ...Array.from({ length: ROSTER_LIMITS.rows + 1 }, (_, i) => [`Given${i}`]),
    ]);
    await expect(readRoster('xlsx', sheet)).rejects.toMatchObject({ limit: 'rows' });
  });

  it('refuses a value past column 64, in a header still being read or in a sheet', async () => {
    const wide = Buffer.from(`${'c,'.repeat(40_000)}\nJana\n`);
    const refusal = await readRoster('csv', wide).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RosterTooLarge);
    expect(refusal).toMatchObject({ limit: 'columns' });
    const sheet = await workbookOf([['given_name', ...Array.from({ length: 64 }, () => null), 'x']]);
    await expect(readRoster('xlsx', sheet)).rejects.toMatchObject({
      limit: 'columns',
      message: expect.stringMatching(/column 66/),
    });
  });

  it('refuses a CSV line longer than a roster line can be', async () => {
    const long = Buffer.from(`given_name\n${'x'.repeat(ROSTER_LIMITS.recordCharacters + 100)}\n`);
    await expect(readRoster('csv', long)).rejects.toMatchObject({ limit: 'recordCharacters' });
  });
});
