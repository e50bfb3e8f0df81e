/**
 * A badge number as the mission knows it, whatever way it was typed or pasted: `kg‑lto‑0001` (with
 * non-breaking hyphens), `KG–LTO–0001` (en dashes), `KG-LTO-0001` with a zero-width space from a
 * spreadsheet are one badge, `KG-LTO-0001`. Reserving, granting and looking up all go through this,
 * so two spellings of one number can never be two badges.
 */

/** Invisible: zero-width space, non-joiner and joiner, word joiner, byte-order mark, soft hyphen. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
/** Dashes that read as a hyphen: ‐ ‑ ‒ – — ―, the minus sign, and the small and full-width hyphen-minus. */
const HYPHENS = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/** NFKC, invisible characters out, one hyphen, no surrounding whitespace, capitals (case-folded). */
export const badgeNumberOf = (typed: string): string =>
  typed
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(HYPHENS, '-')
    .trim()
    // Lower first, then upper: case-folds letters whose capitals have no single lower case (ẞ, ß → SS).
    .toLowerCase()
    .toUpperCase()
    .normalize('NFKC');
