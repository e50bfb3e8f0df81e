import { describe, expect, it } from '@jest/globals';
import { badgeNumberOf } from './badge-number.js';

describe('a badge number', () => {
  it.each([
    ['lower case', 'kg-lto-0001'],
    ['mixed case', 'Kg-Lto-0001'],
    ['hyphen U+2010', 'KG\u2010LTO\u20100001'],
    ['non-breaking hyphen U+2011', 'KG\u2011LTO\u20110001'],
    ['minus sign U+2212', 'KG\u2212LTO\u22120001'],
    ['en dash', 'KG\u2013LTO\u20130001'],
    ['full-width letters and hyphen', 'ＫＧ－ＬＴＯ－０００１'],
    ['a zero-width space inside', 'KG-LTO\u200B-0001'],
    ['a zero-width joiner and non-joiner', 'KG\u200D-LTO-\u200C0001'],
    ['surrounding spaces, tabs and a no-break space', ' \t\u00A0KG-LTO-0001 \n'],
    ['a byte-order mark in front', '\uFEFFKG-LTO-0001'],
  ])('is the same badge spelt with %s', (_, typed) => expect(badgeNumberOf(typed)).toBe('KG-LTO-0001'));

  it('keeps apart what differs in more than spelling', () => {
    expect(badgeNumberOf('KG-LTO-0001')).not.toBe(badgeNumberOf('KG-LTO-0010'));
    expect(badgeNumberOf('KG-LTO-0001')).not.toBe(badgeNumberOf('KG LTO 0001'));
    expect(badgeNumberOf('KG-LTO-0001')).not.toBe(badgeNumberOf('KGLTO0001'));
  });

  it('folds letters whose capitals have no lower case of their own', () => {
    expect(badgeNumberOf('Straße-1')).toBe(badgeNumberOf('STRASSE-1'));
    expect(badgeNumberOf('STRA\u1E9EE-1')).toBe('STRASSE-1');
  });

  it('is nothing when only invisible characters and spaces were typed', () =>
    expect(badgeNumberOf(' \u200B\u200D\uFEFF ')).toBe(''));

  it('is idempotent', () => {
    const once = badgeNumberOf('\u00A0kg\u2011lto\u200B\u20130001 ');
    expect(badgeNumberOf(once)).toBe(once);
  });
});
