/*
 * SMS reaches mainland mobiles only: every number goes to the provider (and into identities) as its 11 digits.
 */

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * `+86 138-1234-5678`, `0086 13812345678`, `８６１３８１２３４５６７８` → `13812345678`; anything that is not a
 * mainland mobile number → null.
 */
export function normalizeMobile(input: string): string | null {
  const compact = input.normalize('NFKC').replace(/[\s\-()（）]/g, '');
  // A country code other than +86 is another country's number, whatever its digits look like.
  if (!/^(?:\+86|0086|86)?\d+$/.test(compact)) return null;
  const digits = compact.replace(/^(?:\+86|0086)/, '').replace(/^86(?=1\d{10}$)/, '');
  return MAINLAND_MOBILE.test(digits) ? digits : null;
}

/** The words a buyer replies to stop marketing SMS (工信部 rules make providers honour them). */
const OPT_OUT_WORDS = new Set(['退订', 'TD', 'T', '取消', 'N']);

/** Whether an SMS reply asks to stop marketing: 退订 / TD / T / 取消 / N, full-width or not, any case. */
export function isOptOutReply(content: string): boolean {
  const word = content
    .normalize('NFKC')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '')
    .toUpperCase();
  return OPT_OUT_WORDS.has(word);
}
