/**
 * Hashed text features for the sentiment model, shared by the runtime scorer and scripts/train-sentiment.ts
 * (the model file records FEATURE_VERSION: change the extraction → bump it and retrain).
 *
 * The text is normalised (NFKC: full-width → half-width; traditional → simplified; lower case; digit runs → "0"),
 * cut to MAX_CHARS, then yields
 * - character 1–maxN-grams (no n-gram crosses a line break),
 * - negation marks (`negation`): after 不/没/别/无/未/非 (skipping a degree word such as 很/太/是) the next one
 *   and two characters, marked as negated, so 不是很好 and 好 point different ways,
 * - contrast marks (`contrast`): character 1–2-grams after the last 但/但是/可是/不过/然而/只是/就是, marked,
 *   since what follows "but" usually carries the verdict,
 * - character skip-bigrams (`skip`: 好_的 of 好用的),
 * - word features when `words` is on: jieba (@node-rs/jieba, precise mode, no HMM; ~15 µs per review) words of
 *   two or more characters and bigrams of neighbouring words (not across punctuation), and with `wordNegation`
 *   = k the k words after a negating word (不/没有/不是/别/无 …) in the same clause, marked as negated.
 * Each feature is FNV-1a hashed into 2^bits buckets; duplicates within a text are removed.
 */
import { segmenter, toSimplified } from '../../platform/text/index.ts';

export const FEATURE_VERSION = 2;
export const MAX_CHARS = 400;

export type FeatureOptions = {
  bits: number;
  maxN: number;
  words: boolean;
  negation: boolean;
  contrast?: boolean;
  /** Character skip-bigrams (c₁ _ c₃). */
  skip?: boolean;
  /** With `words`: the next words after a negating word (不/没有/别/无 …), up to a punctuation mark, marked. */
  wordNegation?: number;
};

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_CHAR = 0x1234567;
const SEED_WORD = 0x2345678;
const SEED_BIGRAM = 0x3456789;
const SEED_NEG = 0x456789a;
const SEED_CONTRAST = 0x56789ab;
const SEED_SKIP = 0x6789abc;
const SEED_WORD_NEG = 0x789abcd;
const NEGATING_WORDS = new Set([
  '不',
  '没',
  '没有',
  '别',
  '无',
  '未',
  '非',
  '不是',
  '不会',
  '不能',
  '不要',
  '不用',
  '从不',
  '并不',
  '毫不',
  '一点也不',
  '决不',
  '绝不',
]);
const CONTRAST = /但是|但|可是|不过|然而|只是|就是/gu;

const NEGATORS = new Set([...'不没别无未非'].map((c) => c.charCodeAt(0)));
const DEGREE = new Set([...'很太是怎够大算太那这再也都还'].map((c) => c.charCodeAt(0)));

/** Han, letters or digits: a word; anything else (punctuation, spaces, emoji) breaks word bigrams. */
const WORDLIKE = /[\p{L}\p{N}]/u;

/** The comparable form used for features: NFKC, simplified, lower case, digit runs as one "0". */
export function normalizeForSentiment(text: string): string {
  const cut = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  return toSimplified(cut.normalize('NFKC'))
    .toLowerCase()
    .replace(/[0-9]+/g, '0')
    .replace(/[ \t\u3000]+/g, ' ')
    .trim();
}

const hashString = (seed: number, text: string): number => {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
};

const isSpace = (code: number) => code === 32 || code === 10 || code === 13;

// Which buckets the current text already produced: stamps[bucket] === generation (cheaper than a Set per text).
let stamps = new Uint32Array(0);
let generation = 0;

/**
 * The distinct feature buckets of an already normalised text, written into `out` (reused between calls);
 * returns how many.
 */
export function extractFeatures(normalized: string, options: FeatureOptions, out: Int32Array): number {
  const mask = (1 << options.bits) - 1;
  if (stamps.length !== mask + 1) {
    stamps = new Uint32Array(mask + 1);
    generation = 0;
  }
  if (++generation === 0xffffffff) {
    stamps.fill(0);
    generation = 1;
  }
  const stamp = generation;
  let count = 0;
  const add = (hash: number) => {
    const bucket = hash & mask;
    if (stamps[bucket] === stamp || count >= out.length) return;
    stamps[bucket] = stamp;
    out[count++] = bucket;
  };
  const length = normalized.length;
  for (let i = 0; i < length; i++) {
    const first = normalized.charCodeAt(i);
    if (isSpace(first)) continue;
    let h = (FNV_OFFSET ^ SEED_CHAR) >>> 0;
    for (let n = 0; n < options.maxN && i + n < length; n++) {
      const code = normalized.charCodeAt(i + n);
      if (code === 10 || code === 13) break;
      h = Math.imul(h ^ code, FNV_PRIME);
      add(Math.imul(h ^ (n + 1), FNV_PRIME) >>> 0);
    }
    if (options.skip && i + 2 < length) {
      const third = normalized.charCodeAt(i + 2);
      const second = normalized.charCodeAt(i + 1);
      if (!isSpace(third) && second !== 10 && second !== 13) {
        add(Math.imul(Math.imul(FNV_OFFSET ^ SEED_SKIP ^ first, FNV_PRIME) ^ third, FNV_PRIME) >>> 0);
      }
    }
    if (options.negation && NEGATORS.has(first)) {
      let j = i + 1;
      while (j < length && j < i + 3 && DEGREE.has(normalized.charCodeAt(j))) j++;
      if (j < length) {
        let g = (FNV_OFFSET ^ SEED_NEG) >>> 0;
        g = Math.imul(g ^ normalized.charCodeAt(j), FNV_PRIME);
        add(g >>> 0);
        if (j + 1 < length) add(Math.imul(g ^ normalized.charCodeAt(j + 1), FNV_PRIME) >>> 0);
      }
    }
  }
  if (options.contrast) {
    let tail = -1;
    for (const match of normalized.matchAll(CONTRAST)) tail = (match.index ?? 0) + match[0].length;
    if (tail > 0) {
      for (let i = tail; i < length; i++) {
        let h = (FNV_OFFSET ^ SEED_CONTRAST) >>> 0;
        for (let n = 0; n < 2 && i + n < length; n++) {
          h = Math.imul(h ^ normalized.charCodeAt(i + n), FNV_PRIME);
          add(h >>> 0);
        }
      }
    }
  }
  if (options.words) {
    let previous = '';
    let negated = 0;
    for (const word of segmenter().cut(normalized, false)) {
      if (!WORDLIKE.test(word)) {
        previous = '';
        negated = 0;
        continue;
      }
      if (word.length > 1) add(hashString(SEED_WORD, word));
      if (previous) add(hashString(SEED_BIGRAM, `${previous}\u0001${word}`));
      if (negated > 0) {
        add(hashString(SEED_WORD_NEG, word));
        negated--;
      }
      if (options.wordNegation && NEGATING_WORDS.has(word)) negated = options.wordNegation;
      previous = word;
    }
  }
  return count;
}
