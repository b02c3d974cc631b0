import { maskBankCard, maskIdCard, maskPhone } from '@huike/contracts';

/** Runs of 7+ digits, spaces or dashes between them allowed (138 1234 5678), an ID card's final X included. */
const DIGIT_RUN = /\d[\d\s-]{5,}[\dXx]/g;
const EMAIL = /([\w.+-])[\w.+-]*@([\w-]+\.[\w.-]+)/g;

function maskDigits(run: string): string {
  const digits = run.replace(/[\s-]/g, '');
  if (digits.replace(/[Xx]$/, '').length < 7) return run;
  if (/^1[3-9]\d{9}$/.test(digits)) return maskPhone(digits);
  if (/^\d{17}[\dXx]$|^\d{15}$/.test(digits)) return maskIdCard(digits);
  if (digits.length >= 12) return maskBankCard(digits);
  return `${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/**
 * The start of a customer's message for the run log and the dry run. Runs are read by every role with
 * automation:read, including roles without customers:reveal_pii, so phones, ID and card numbers (any long digit
 * run, order numbers too) and e-mail addresses are masked here, before the excerpt is stored.
 */
export function maskedExcerpt(content: string, length = 40): string {
  const masked = content
    .slice(0, length + 20)
    .replace(DIGIT_RUN, maskDigits)
    .replace(EMAIL, '$1***@$2');
  return masked.length > length ? `${masked.slice(0, length)}…` : masked;
}
