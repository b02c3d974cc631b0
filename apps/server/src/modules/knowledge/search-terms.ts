/**
 * Search terms and FAQ matching for the knowledge base.
 *
 * Terms: the text is normalised (platform/text: NFKC full-width → half-width, traditional → simplified, lower
 * case), cut by jieba in search mode (long words also yield their sub-words: 优惠券 → 优惠, 优惠券), then
 * punctuation, white space and stop words (question words and particles: 怎么, 什么, 吗, 请问 …) are dropped.
 * Articles store the terms of their title + question variants (`title_terms`) and of their body (`body_terms`).
 * A query typed in Latin letters also finds articles by the pinyin or initials of their title and question variants
 * (`matchesSpelling`: fapiao, fp → 开具发票), computed when searching, like customer search's pinyin.
 *
 * Bot confidence (`bestFaqMatch`): each published article's title and every question variant is a "question
 * document". The customer's message and each question document are compared as sets of *FAQ terms*: the text is
 * normalised and cut by jieba (plain mode), stop words dropped, and each remaining Chinese word gives its characters
 * and its pairs of neighbouring characters (发票 → 发, 票, 发票); other words (Latin, digits) count whole. Characters
 * and pairs make the comparison independent of word order and of how jieba happens to cut a phrase in context:
 * 「发票怎么开」 (发票 / 开) and 「怎么开发票」 (开发票) share 发, 票, 发票 and 开. Each term weighs its IDF over all
 * question documents of the workspace, w(t) = ln(1 + N / df(t)) (a term no document has weighs ln(1 + N), so
 * words the knowledge base does not know pull the score down). The confidence of a document is the weighted cosine
 * of the two sets, Σ_common w² / (√Σ_query w² · √Σ_doc w²), in 0..1; an exact match of the normalised texts is 1.
 * The article's confidence is that of its best document, which `matched` names. Before comparing, the words buyers
 * use interchangeably for one thing count as one (`FAQ_SYNONYMS`: 包裹/物流 → 快递, 几天 → 多久), so 「我的快递到哪了」
 * meets the variant 「包裹到哪了」.
 */
import { HANDOFF_REQUEST_TEXTS } from '@huike/contracts';
import { hasHan, normalizeText, segmenter, toInitials, toPinyin } from '../../platform/text/index.ts';

const STOP_WORDS = new Set([
  ...'不 没 的 了 吗 呢 吧 啊 呀 哦 哈 嘛 么 是 在 有 和 与 及 或 就 都 也 还 又 很 太 把 被 给 让 对 向 从 到 这 那 哪 啥 谁 我 你 您 他 她 它 们 个 下 一'.split(
    ' ',
  ),
  ...'怎么 怎么样 怎样 如何 什么 为什么 为何 请问 一下 可以 能否 能不能 可不可以 是否 是不是 有没有 我们 你们 我的 你的 这个 那个 哪个 哪里 时候 需要 想要 我要 我想 想 要 能 会 吗 多少 么样 谢谢 您好 你好 麻烦 问下 问一下 咨询 啥时候 什么时候 怎么办 咋办 咋 怎么弄 咋弄'.split(
    ' ',
  ),
  ...'a an the to of for in on at is are was be do does did can could how what when where why which i my me you your it this that and or with please'.split(
    ' ',
  ),
]);

/** Letters, digits or Han — anything else (punctuation, spaces, emoji) is no term. */
const WORDLIKE = /[\p{L}\p{N}]/u;

/** The distinct search terms of a text (see the module comment). */
export function searchTerms(text: string): string[] {
  const normalized = normalizeText(text);
  if (!normalized) return [];
  const out = new Set<string>();
  for (const word of segmenter().cutForSearch(normalized, true)) {
    const term = word.trim();
    if (!term || !WORDLIKE.test(term) || STOP_WORDS.has(term) || term.length > 40) continue;
    out.add(term);
  }
  return [...out];
}

/** Terms of many texts, deduplicated. */
export const termsOf = (texts: string[]): string[] => [...new Set(texts.flatMap(searchTerms))];

// ── pinyin (knowledge search) ──────────────────────────────────────────────────────────────────────

/** A query typed as pinyin or initials (fapiao, fp, kai ju): 2–40 Latin letters, spaces dropped; else null. */
export function spelledQuery(query: string): string | null {
  const letters = normalizeText(query).replace(/ /g, '');
  return /^[a-z]{2,40}$/.test(letters) ? letters : null;
}

const SPELLING_CACHE_MAX = 20_000;
const spellingCache = new Map<string, string[]>();

/**
 * The pinyin and initials of a Chinese text and of each of its search terms (开具发票: kaijufapiao, kjfp, kaiju, kj,
 * fapiao, fp), through platform/text's toPinyin / toInitials like customer names; none for a text without Chinese.
 */
function spellings(text: string): string[] {
  let found = spellingCache.get(text);
  if (!found) {
    const keys = new Set<string>();
    if (hasHan(text)) {
      const simplified = normalizeText(text);
      for (const part of [simplified, ...searchTerms(simplified)]) {
        if (!hasHan(part)) continue;
        keys.add(toPinyin(part));
        keys.add(toInitials(part));
      }
    }
    if (spellingCache.size >= SPELLING_CACHE_MAX) spellingCache.clear();
    found = [...keys].filter(Boolean);
    spellingCache.set(text, found);
  }
  return found;
}

/**
 * Whether one of the texts (an article's title and question variants) starts a word with the spelled query:
 * the query is a prefix of the pinyin or the initials of the whole text or of one of its search terms, so fapiao,
 * fap and fp find 开具发票 but a query never starts inside a word's pinyin (iao).
 */
export const matchesSpelling = (texts: string[], spelled: string): boolean =>
  texts.some((text) => spellings(text).some((key) => key.startsWith(spelled)));

/**
 * Words buyers use for the same thing, mapped to one of them (bot matching only: stored search terms keep the words as
 * written, so a knowledge search for 物流 still finds 物流 first).
 */
const FAQ_SYNONYMS = new Map([
  ['包裹', '快递'],
  ['快件', '快递'],
  ['物流', '快递'],
  ['运单', '单号'],
  ['退钱', '退款'],
  ['开票', '发票'],
  ['几天', '多久'],
  ['多长时间', '多久'],
]);

const HAN_WORD = /^\p{Script=Han}+$/u;

type FaqText = { normalized: string; terms: Set<string> };

/**
 * Bot matching's terms of a text (see the module comment): each content word gives its characters and its pairs of
 * neighbouring characters; other words (Latin, digits) count whole.
 */
function faqText(text: string): FaqText {
  const normalized = normalizeText(text);
  const terms = new Set<string>();
  for (const token of segmenter().cut(normalized, true)) {
    const word = FAQ_SYNONYMS.get(token.trim()) ?? token.trim();
    if (!word || STOP_WORDS.has(word) || !WORDLIKE.test(word)) continue;
    if (!HAN_WORD.test(word)) {
      if (word.length <= 40) terms.add(word);
      continue;
    }
    const chars = [...word];
    for (let i = 0; i < chars.length; i++) {
      terms.add(chars[i]!);
      if (i + 1 < chars.length) terms.add(chars[i]! + chars[i + 1]!);
    }
  }
  return { normalized, terms };
}

// Articles' titles and questions change rarely and are compared with every message: their terms are kept by text.
const FAQ_TEXT_CACHE_MAX = 20_000;
const faqTextCache = new Map<string, FaqText>();
function cachedFaqText(text: string): FaqText {
  let found = faqTextCache.get(text);
  if (!found) {
    if (faqTextCache.size >= FAQ_TEXT_CACHE_MAX) faqTextCache.clear();
    found = faqText(text);
    faqTextCache.set(text, found);
  }
  return found;
}

export type FaqCandidate = { id: string; title: string; questions: string[] };
/** `matched`: the title or question variant of the article that the message came closest to. */
export type FaqMatch = { articleId: string; confidence: number; matched: string };

/** The best article for a customer's question and its confidence in 0..1 (null when no article shares a term). */
export function bestFaqMatch(question: string, articles: FaqCandidate[]): FaqMatch | null {
  const query = faqText(question);
  if (articles.length === 0) return null;

  const documents: { articleId: string; text: string; faq: FaqText }[] = [];
  for (const article of articles) {
    for (const text of [article.title, ...article.questions]) {
      documents.push({ articleId: article.id, text, faq: cachedFaqText(text) });
    }
  }
  const df = new Map<string, number>();
  for (const document of documents) for (const term of document.faq.terms) df.set(term, (df.get(term) ?? 0) + 1);
  const n = documents.length;
  const weight = (term: string) => Math.log(1 + n / (df.get(term) ?? 1));
  const norm = (terms: Set<string>) => Math.sqrt([...terms].reduce((sum, term) => sum + weight(term) ** 2, 0));
  const queryNorm = norm(query.terms);

  let best: FaqMatch | null = null;
  for (const document of documents) {
    let confidence: number;
    if (document.faq.normalized === query.normalized) confidence = 1;
    // A message of stop words only (不想要了) matches a variant written the same way, and nothing else.
    else if (query.terms.size === 0) continue;
    else {
      let common = 0;
      for (const term of query.terms) if (document.faq.terms.has(term)) common += weight(term) ** 2;
      if (common === 0) continue;
      confidence = common / (queryNorm * norm(document.faq.terms));
    }
    confidence = Math.min(1, Math.round(confidence * 1000) / 1000);
    if (!best || confidence > best.confidence)
      best = { articleId: document.articleId, confidence, matched: document.text };
  }
  return best;
}

/** Phrases with which a customer asks for a person (after normalisation). */
const HUMAN_REQUEST =
  /(转|轉|找|要|叫|接)?(人工|真人|客服|人类)|人工服务|人工客服|真人客服|在线客服|human|agent|real person|operator/u;

/** The widget's hand-off button texts (every language), normalised like messages are. */
const HANDOFF_BUTTON_TEXTS = new Set(HANDOFF_REQUEST_TEXTS.map(normalizeText));

/** Whether the message asks for a human agent (转人工, 人工客服, 我要找客服, 真人, the widget's button …). */
export const asksForHuman = (text: string): boolean => {
  const normalized = normalizeText(text);
  return HANDOFF_BUTTON_TEXTS.has(normalized) || HUMAN_REQUEST.test(normalized);
};
