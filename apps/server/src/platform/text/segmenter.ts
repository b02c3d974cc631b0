import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | undefined;

/**
 * The one Chinese word segmenter of the process (jieba with its default dictionary), made on first use: each
 * instance holds its own copy of the dictionary (about 40 MB), so sentiment, knowledge search and complaint
 * keywords share this one.
 */
export function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}
