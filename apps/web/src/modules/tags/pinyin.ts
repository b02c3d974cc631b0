/**
 * Pinyin initials without a dictionary: the browser's pinyin collation orders every common hanzi by its
 * reading, so the first character of each initial letter marks where that letter starts (高价值 → gjz).
 * Good enough for type-ahead (多音字 take their most common reading).
 */
const boundaries: [string, string][] = [
  ['a', '阿'],
  ['b', '芭'],
  ['c', '擦'],
  ['d', '搭'],
  ['e', '蛾'],
  ['f', '发'],
  ['g', '噶'],
  ['h', '哈'],
  ['j', '击'],
  ['k', '喀'],
  ['l', '垃'],
  ['m', '妈'],
  ['n', '拿'],
  ['o', '哦'],
  ['p', '啪'],
  ['q', '期'],
  ['r', '然'],
  ['s', '撒'],
  ['t', '塌'],
  ['w', '挖'],
  ['x', '昔'],
  ['y', '压'],
  ['z', '匝'],
];

let collator: Intl.Collator | null = null;
const cache = new Map<string, string>();

function initialOf(char: string): string {
  if (!/[\u4e00-\u9fff]/.test(char)) return char.toLowerCase();
  collator ??= new Intl.Collator('zh-Hans-CN-u-co-pinyin');
  let letter = '';
  for (const [candidate, first] of boundaries) {
    if (collator.compare(char, first) >= 0) letter = candidate;
    else break;
  }
  return letter;
}

/** 高价值客户 → "gjzkh"; other characters are kept lower-cased (VIP → "vip"). */
export function pinyinInitials(text: string): string {
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const value = Array.from(text, initialOf).join('');
  cache.set(text, value);
  return value;
}

/** Type-ahead match on the name itself or its pinyin initials ("gjz" finds 高价值). */
export function matchesName(name: string, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  if (name.toLowerCase().includes(q)) return true;
  return /^[a-z0-9]+$/.test(q) && pinyinInitials(name).includes(q);
}
