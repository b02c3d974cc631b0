import type { TemplateListItem } from '@huike/contracts';

/** What the agent typed, in the form the server's search keys use (half-width, lower case, no spaces). */
export const normalizeQuery = (query: string): string => query.normalize('NFKC').toLowerCase().replace(/\s+/g, '');

/** Whether every character of `needle` appears in `haystack` in order (kdcx ⊂ kuaidichaxun's initials…). */
function isSubsequence(needle: string, haystack: string): boolean {
  let index = 0;
  for (const char of haystack) {
    if (char === needle[index]) index += 1;
    if (index === needle.length) return true;
  }
  return needle.length === 0;
}

/**
 * How well a template matches what was typed after `/`: title and content text, full pinyin and initials.
 * Higher is better; null is no match. An empty query matches everything equally.
 */
export function matchScore(item: TemplateListItem, rawQuery: string): number | null {
  const q = normalizeQuery(rawQuery);
  if (!q) return 1;
  const keys = item.searchKeys;
  const title = normalizeQuery(item.title);
  if (title.startsWith(q)) return 100;
  if (keys.titleInitials.startsWith(q)) return 90;
  if (keys.titlePinyin.startsWith(q)) return 85;
  if (title.includes(q)) return 80;
  if (keys.titleInitials.includes(q)) return 70;
  if (keys.titlePinyin.includes(q)) return 65;
  if (normalizeQuery(item.category).includes(q)) return 50;
  if (keys.text.replace(/\s+/g, '').includes(q)) return 40;
  if (keys.contentInitials.includes(q) || keys.contentPinyin.includes(q)) return 30;
  if (/^[a-z]+$/.test(q) && isSubsequence(q, keys.titlePinyin)) return 20;
  return null;
}

/** Matching templates, best first; templates of the customer's segments before the others at equal score. */
export function rankTemplates(items: TemplateListItem[], query: string, limit = 50): TemplateListItem[] {
  const scored: { item: TemplateListItem; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const score = matchScore(item, query);
    if (score !== null) scored.push({ item, score: score + (item.forCustomerSegment ? 5 : 0), index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, limit).map((entry) => entry.item);
}
