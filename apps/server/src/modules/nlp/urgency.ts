/**
 * Urgency of an inbound customer message: rules over the normalised text (full-width → half-width, traditional →
 * simplified, lower case, white space removed, so 投訴 / １２３１５ / 投 诉 match too) plus the sentiment.
 */

import type { MessageSentiment } from '@huike/contracts';
import { normalizeText } from '../../platform/text/index.ts';

export const URGENCY_REASONS = ['complaint_threat', 'refund_dispute', 'strong_negative', 'repeated_contact'] as const;
export type UrgencyReason = (typeof URGENCY_REASONS)[number];
export type Urgency = { urgent: boolean; reasons: UrgencyReason[] };
export type UrgencyContext = {
  /** The customer's messages since the conversation's last reply (this one included): its unread count. */
  unansweredCount?: number;
  /** How long the customer has been waiting: since the first of those messages (waiting_since), in ms. */
  waitingMs?: number;
};

/** Negative messages at or above this probability count as strong_negative. */
export const STRONG_NEGATIVE_SCORE = 0.95;
/**
 * repeated_contact: a buyer who keeps writing while nobody answers. A message gets it when it is at least the
 * REPEATED_CONTACT_COUNT-th unanswered one AND the buyer has been waiting REPEATED_CONTACT_MIN_WAIT_MS or more
 * (since the first unanswered message). Three quick lines in the first minute (转人工 / 在吗 / 订单号…) are how
 * Chinese buyers write, not urgency; the same buyer still writing after 5 minutes without an answer is chasing.
 * 5 minutes: well past a normal first response in chat (a minute or two), so only a real wait turns it red, and
 * early enough for a supervisor to step in before the buyer gives up. The inbound batch function applies this rule
 * in SQL (migration 0039: `unread_count >= 3 and waiting_since <= now() - interval '5 minutes'`); keep them equal.
 */
export const REPEATED_CONTACT_COUNT = 3;
export const REPEATED_CONTACT_MIN_WAIT_MS = 5 * 60 * 1000;

// Threats to escalate outside the shop: complaints, bad reviews, regulators, press, lawyers, police.
const COMPLAINT_THREAT =
  /投诉|(?<!\d)(?:12315|12345)(?!\d)|315晚会|差评|曝光|消协|消费者协会|消保委|工商局|工商部门|(?:找|去|告到)工商|市场监管|监管部门|媒体|记者|电视台|律师|起诉|(?<![转报忠警通劝广公])告你|法院|打官司|举报|报警|维权/u;
const REFUND_WORD = /退款|退钱|退货款|退费|钱退|退给我/u;
const REFUND_REFUSED =
  /(?:拒绝|不给|不予|不肯|不让|不同意|驳回|拒不)(?:我|给我)?(?:退款|退钱|退货|退费|退)|退款纠纷|仅退款.*(?:纠纷|拒绝|不同意|驳回|申诉|不给)/u;
const REFUND_STALLED =
  /不给|拒绝|还没|还不|一直|迟迟|怎么还|没到账|未到账|没收到|不处理|不退|驳回|不同意|推脱|拖着|拖了|几天了|多久|到底/u;

/**
 * Whether a message needs a person soon, and why: complaint_threat, refund_dispute, strong_negative
 * (negative with score ≥ 0.95), repeated_contact (≥ 3 unanswered messages and a wait of ≥ 5 minutes, see above).
 */
export function detectUrgency(text: string, sentiment: MessageSentiment | null, context: UrgencyContext = {}): Urgency {
  const compact = normalizeText(text).replace(/\s+/gu, '');
  const reasons: UrgencyReason[] = [];
  if (COMPLAINT_THREAT.test(compact)) reasons.push('complaint_threat');
  if (REFUND_REFUSED.test(compact) || (REFUND_WORD.test(compact) && REFUND_STALLED.test(compact))) {
    reasons.push('refund_dispute');
  }
  if (sentiment?.label === 'negative' && sentiment.score >= STRONG_NEGATIVE_SCORE) reasons.push('strong_negative');
  if (
    (context.unansweredCount ?? 0) >= REPEATED_CONTACT_COUNT &&
    (context.waitingMs ?? 0) >= REPEATED_CONTACT_MIN_WAIT_MS
  ) {
    reasons.push('repeated_contact');
  }
  return { urgent: reasons.length > 0, reasons };
}
