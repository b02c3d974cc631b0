import { pinyin } from 'pinyin-pro';
import { hasHan } from './normalize.ts';

export type PinyinOptions = {
  /**
   * Read the first character as a surname, where many characters have their own reading
   * (单 shan, 曾 zeng, 解 xie, 仇 qiu, 区 ou, 朴 piao).
   */
  isName?: boolean;
};

const keepLatin = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');

function syllables(text: string, options: PinyinOptions, pattern: 'pinyin' | 'first'): string[] {
  return pinyin(text, {
    pattern,
    toneType: 'none',
    type: 'array',
    nonZh: 'consecutive',
    surname: options.isName ? 'head' : 'off',
    v: true,
  });
}

/**
 * Toneless pinyin without spaces, lower case; other letters and digits are kept, everything else dropped.
 * `toPinyin('李明')` → `'liming'`; `toPinyin('单雄信', { isName: true })` → `'shanxiongxin'`.
 */
export function toPinyin(text: string, options: PinyinOptions = {}): string {
  if (!hasHan(text)) return keepLatin(text);
  return keepLatin(syllables(text, options, 'pinyin').join(''));
}

/**
 * The first letter of each Chinese character's pinyin; a run of other letters/digits counts as one word and
 * gives its first character. `toInitials('李明')` → `'lm'`, `toInitials('王 Tony')` → `'wt'`.
 */
export function toInitials(text: string, options: PinyinOptions = {}): string {
  if (!hasHan(text)) {
    return text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean)
      .map((word) => word[0])
      .join('');
  }
  return keepLatin(
    syllables(text, options, 'first')
      .map((part) => part.trim().split(/\s+/)[0]?.[0] ?? '')
      .join(''),
  );
}
