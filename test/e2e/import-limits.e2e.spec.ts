/**
 * Files made to take the server down, sent to the import route of the standalone app: each is refused
 * with 4xx problem+json naming the limit it went past, at once and without the process growing, and
 * nothing is written. The workbooks are built by hand (a zip of our own) where a library would refuse
 * to write what an attacker can.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { kyrgyzMission } from './fixtures.js';
import { bearer, startStandalone, type World } from './harness.js';

const PROBLEM = /^application\/problem\+json/;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Generous: the process must not grow by the gigabytes these files claim. */
const RSS_BOUND = 400 * 1024 * 1024;

type Entry = { readonly name: string; readonly deflated: Buffer; readonly declaredSize: number };

/** A zip of already-deflated entries, declaring whatever sizes it is told (CRCs are left 0). */
const zipOf = (entries: readonly Entry[]): Buffer => {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, deflated, declaredSize } of entries) {
    const fileName = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(declaredSize, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(declaredSize, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, deflated);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
};

/** One deflate stream of `prefix`, `repeat` times `filler`, then `suffix`: a few KB that inflate to what it says. */
const deflatedRepeat = (prefix: string, filler: string, repeat: number, suffix: string): Buffer => {
  const flushed = (text: string) =>
    deflateRawSync(Buffer.from(text), { finishFlush: constants.Z_SYNC_FLUSH });
  const block = flushed(filler);
  return Buffer.concat([
    flushed(prefix),
    ...Array.from({ length: repeat }, () => block),
    deflateRawSync(suffix),
  ]);
};

const SHEET_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const entryOf = (name: string, xml: string): Entry => ({
  name,
  deflated: deflateRawSync(xml),
  declaredSize: Buffer.byteLength(xml),
});

/** A workbook of our own making whose first sheet is `sheet` (deflated), declared as `declaredSize` bytes. */
const workbookWith = (sheet: Buffer, declaredSize: number): Buffer =>
  zipOf([
    entryOf(
      'xl/workbook.xml',
      `<workbook xmlns="${SHEET_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    entryOf(
      'xl/_rels/workbook.xml.rels',
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ),
    { name: 'xl/worksheets/sheet1.xml', deflated: sheet, declaredSize },
  ]);

describe('import limits (standalone)', () => {
  let world: World;
  let admin: string;
  let url: string;

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
    const opened = await world.http.post('/api/v1/missions').set(bearer(admin)).send(kyrgyzMission);
    expect(opened.status).toBe(201);
    url = `/api/v1/missions/${opened.body.id}/applications/import`;
    await world.eventually(async () =>
      expect((await world.http.get(`/api/v1/missions/${opened.body.id}`).set(bearer(admin))).status).toBe(
        200,
      ),
    );
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  /** Sends the file; expects the refusal with its status and words, the process no larger, nothing written. */
  const refused = async (
    send: () => Promise<{ status: number; headers: Record<string, string>; body: { detail?: string } }>,
    status: number,
    detail: RegExp,
  ) => {
    const head = await world.store.headPosition();
    global.gc?.();
    const before = process.memoryUsage().rss;
    const response = await send();
    expect({ status: response.status, detail: response.body.detail }).toEqual({
      status,
      detail: expect.stringMatching(detail),
    });
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(process.memoryUsage().rss - before).toBeLessThan(RSS_BOUND);
    expect(await world.store.headPosition()).toEqual(head);
  };

  it('refuses a 6 KB workbook that claims cells up to XFD1048576, naming the column limit', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('observers').addRow(['given_name', 'family_name']);
    const zip = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    const sheet = await zip.file('xl/worksheets/sheet1.xml')!.async('string');
    zip.file(
      'xl/worksheets/sheet1.xml',
      sheet
        .replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:XFD1048576"/>')
        .replace(
          '</sheetData>',
          '<row r="1048576" spans="1:16384"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ),
    );
    const file = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    expect(file.length).toBeLessThan(8 * 1024);
    await refused(
      () => world.http.post(url).set(bearer(admin)).set('content-type', XLSX).send(file),
      413,
      /column 16384; at most 64 columns/,
    );
  });

  it('refuses a workbook of a million cells (8 KB as a file), naming the cell limit', async () => {
    const file = workbookWith(
      deflatedRepeat(
        `<worksheet xmlns="${SHEET_NS}"><sheetData><row r="1">`,
        '<c/>'.repeat(1000),
        1000,
        '</row></sheetData></worksheet>',
      ),
      4_000_100,
    );
    expect(file.length).toBeLessThan(64 * 1024);
    await refused(
      () => world.http.post(url).set(bearer(admin)).attach('file', file, 'observers.xlsx'),
      413,
      /more than 500000 cells/,
    );
  });

  it('stops inflating a zip bomb at the bound, whether it declares its size or lies about it', async () => {
    // 1 GiB of XML whitespace in about 1 MB.
    const bomb = deflatedRepeat(
      `<worksheet xmlns="${SHEET_NS}"><sheetData>`,
      ' '.repeat(1 << 20),
      1024,
      '</sheetData></worksheet>',
    );
    for (const declared of [2 ** 31, 4096])
      await refused(
        () =>
          world.http
            .post(url)
            .set(bearer(admin))
            .set('content-type', XLSX)
            .send(workbookWith(bomb, declared)),
        413,
        /inflates to more than \d+ bytes/,
      );
  });

  it('refuses a CSV whose header has 1.5 million columns, before it becomes 1.5 million fields', async () => {
    const header = 'colum,'.repeat(1_500_000);
    expect(header.length).toBeGreaterThan(8 * 1024 * 1024);
    await refused(
      () => world.http.post(url).set(bearer(admin)).set('content-type', 'text/csv').send(`${header}\nJana\n`),
      413,
      /row 1 has \d+ columns or more; at most 64 are read/,
    );
  });

  it('refuses a list of more than 5,000 rows at the 5,001st', async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => `Given${i},Family${i}`);
    await refused(
      () =>
        world.http
          .post(url)
          .set(bearer(admin))
          .set('content-type', 'text/csv')
          .send(['given_name,family_name', ...rows].join('\n')),
      413,
      /more than 5000 rows/,
    );
  });

  /** Streams `fields` multipart text fields of 1 MB each until the server answers; says what it answered and when. */
  const multipartFields = (fields: number, declareLength: boolean) => {
    const { port } = world.app.getHttpServer().address() as AddressInfo;
    const boundary = 'observa-hostile-boundary';
    const megabyte = 'x'.repeat(1 << 20);
    const partOf = (n: number) =>
      `--${boundary}\r\ncontent-disposition: form-data; name="note${String(n).padStart(3, '0')}"\r\n\r\n${megabyte}\r\n`;
    const closing = `--${boundary}--\r\n`;
    const length = fields * Buffer.byteLength(partOf(0)) + closing.length;
    return new Promise<{ status: number; sent: number; body: string }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: url,
          headers: {
            ...bearer(admin),
            'content-type': `multipart/form-data; boundary=${boundary}`,
            ...(declareLength && { 'content-length': String(length) }),
          },
        },
        (response) => {
          answered = true;
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => {
            resolve({ status: response.statusCode ?? 0, sent, body });
            request.destroy();
          });
        },
      );
      request.on('error', (error) => (answered ? undefined : reject(error)));
      const next = () => {
        while (!answered && sent < fields) {
          sent++;
          if (!request.write(partOf(sent))) return void request.once('drain', next);
        }
        if (!answered) request.end(closing);
      };
      next();
    });
  };

  it('refuses 400 multipart fields of 1 MB as soon as their length is declared, long before they are sent', async () => {
    const before = process.memoryUsage().rss;
    const { status, sent, body } = await multipartFields(400, true);
    expect(status).toBe(413);
    expect(JSON.parse(body).detail).toMatch(/declares \d+ bytes; a file of at most 10485760 bytes/);
    expect(sent).toBeLessThan(100);
    expect(process.memoryUsage().rss - before).toBeLessThan(RSS_BOUND);
  });

  it('refuses multipart text fields past a kilobyte without keeping them, when no length is declared', async () => {
    const head = await world.store.headPosition();
    const before = process.memoryUsage().rss;
    const { status, body } = await multipartFields(40, false);
    expect(status).toBe(400);
    expect(JSON.parse(body).detail).toMatch(/Field value too long/i);
    expect(process.memoryUsage().rss - before).toBeLessThan(RSS_BOUND);
    expect(await world.store.headPosition()).toEqual(head);
  });
});
