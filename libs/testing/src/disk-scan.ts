/**
 * Looks through a database's files, byte by byte, for what an erasure must have destroyed: the person's
 * data in plaintext, and any 32-byte window that is a key opening one of their sealed values.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export type Finding = { readonly file: string; readonly offset: number; readonly what: string };

/** Every file under `root` with a digest of its content, to scan later only what changed. */
export const fingerprint = async (root: string): Promise<Map<string, string>> => {
  const digests = new Map<string, string>();
  for (const file of await filesUnder(root))
    digests.set(
      file,
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  return digests;
};

export const filesUnder = async (root: string): Promise<string[]> => {
  const found: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  return found.sort();
};

/** The files under `root` that are new or differ from `before`. */
export const changedSince = async (root: string, before: Map<string, string>): Promise<string[]> => {
  const now = await fingerprint(root);
  return [...now].filter(([file, digest]) => before.get(file) !== digest).map(([file]) => file);
};

/** A text as a database or a log could hold it: UTF-8, UTF-16LE, and JSON with non-ASCII escaped. */
export const encodings = (text: string): Buffer[] => {
  const escaped = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le'), Buffer.from(escaped, 'utf8')].filter(
    (encoded, i, all) => all.findIndex((other) => other.equals(encoded)) === i,
  );
};

export const findTexts = (
  file: string,
  bytes: Buffer,
  texts: Record<string, string>,
  root: string,
): Finding[] => {
  const findings: Finding[] = [];
  for (const [what, text] of Object.entries(texts))
    for (const needle of encodings(text)) {
      const offset = bytes.indexOf(needle);
      if (offset >= 0)
        findings.push({ file: relative(root, file), offset, what: `${what} ${JSON.stringify(text)}` });
    }
  return findings;
};

/** A value sealed with AES-256-GCM, as the vault writes it, and what it was sealed from. */
export type SealedSample = {
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
  readonly aad: Buffer;
  /** How the plaintext starts (`{"` for JSON): only a window that yields it is worth a full decryption. */
  readonly plaintextStart: Buffer;
};

const MIN_DISTINCT = 21;
const MIN_HIGH = 4;

/**
 * Tries every 32-byte window of `bytes` as the AES-256 key of `sealed`. Windows that cannot be a random
 * key are skipped: fewer than 21 distinct byte values, or fewer than 4 bytes of 0x80 and above (text,
 * zero padding, hex digests, base64). A key drawn at random fails either test with a probability under
 * 2e-6, so a key that is there is found.
 */
export const findKeyWindows = (
  file: string,
  bytes: Buffer,
  sealed: SealedSample,
  root: string,
): Finding[] => {
  const findings: Finding[] = [];
  if (bytes.length < 32) return findings;
  const counts = new Uint16Array(256);
  let distinct = 0;
  let high = 0;
  const add = (b: number) => {
    if (counts[b]++ === 0) distinct++;
    if (b >= 0x80) high++;
  };
  const remove = (b: number) => {
    if (--counts[b] === 0) distinct--;
    if (b >= 0x80) high--;
  };
  for (let i = 0; i < 32; i++) add(bytes[i]);
  const firstBlock = sealed.ciphertext.subarray(0, 16);
  for (let start = 0; ; start++) {
    if (distinct >= MIN_DISTINCT && high >= MIN_HIGH) {
      const key = bytes.subarray(start, start + 32);
      const opened = createDecipheriv('aes-256-gcm', key, sealed.iv).update(firstBlock);
      if (
        opened.subarray(0, sealed.plaintextStart.length).equals(sealed.plaintextStart) &&
        opensWhole(key, sealed)
      )
        findings.push({
          file: relative(root, file),
          offset: start,
          what: 'a key that opens the sealed person',
        });
    }
    if (start + 32 >= bytes.length) break;
    remove(bytes[start]);
    add(bytes[start + 32]);
  }
  return findings;
};

const opensWhole = (key: Buffer, sealed: SealedSample): boolean => {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(sealed.aad);
    decipher.setAuthTag(sealed.tag);
    decipher.update(sealed.ciphertext);
    decipher.final();
    return true;
  } catch {
    return false;
  }
};

/** Both searches over each file. */
export const scanFiles = async (
  files: readonly string[],
  root: string,
  texts: Record<string, string>,
  sealed: SealedSample,
): Promise<Finding[]> => {
  const findings: Finding[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed while we looked
      throw error;
    }
    findings.push(...findTexts(file, bytes, texts, root), ...findKeyWindows(file, bytes, sealed, root));
  }
  return findings;
};

/** The files (of `files`) that hold `text` as UTF-8: a scan's proof that it looked where the data is. */
export const filesHolding = async (files: readonly string[], text: string): Promise<string[]> => {
  const needle = Buffer.from(text, 'utf8');
  const holding: string[] = [];
  for (const file of files)
    if ((await readFile(file).catch(() => Buffer.alloc(0))).includes(needle)) holding.push(file);
  return holding;
};
