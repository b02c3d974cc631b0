import * as OpenCC from 'opencc-js';

// Taiwan and Hong Kong variants both map to mainland simplified; OpenCC's tables are built once per process.
const taiwanToSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
const hongKongToSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

const HAN = /\p{Script=Han}/u;

/** Whether the text holds at least one Chinese character. */
export const hasHan = (text: string): boolean => HAN.test(text);

/** Traditional Chinese (Taiwan or Hong Kong forms) to simplified; other characters are left alone. */
export const toSimplified = (text: string): string =>
  HAN.test(text) ? hongKongToSimplified(taiwanToSimplified(text)) : text;

/**
 * The comparable form of a piece of text: NFKC (full-width letters, digits and punctuation become
 * half-width), traditional → simplified, lower case, runs of white space collapsed, trimmed.
 * `normalizeText('陳ＡＢ　１３８')` → `'陈ab 138'`.
 */
export function normalizeText(text: string): string {
  return toSimplified(text.normalize('NFKC')).toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Digits only, after NFKC (so full-width ０-９ count): `'+86 138-0013 8000'` → `'8613800138000'`. */
export const digitsOnly = (text: string): string => text.normalize('NFKC').replace(/\D+/g, '');
