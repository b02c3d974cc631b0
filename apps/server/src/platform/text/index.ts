export { digitsOnly, hasHan, normalizeText, toSimplified } from './normalize.ts';
export { type PinyinOptions, toInitials, toPinyin } from './pinyin.ts';
export { segmenter } from './segmenter.ts';
