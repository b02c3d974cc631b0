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
  /** Inbound messages from this customer in the last 10 minutes without an agent reply (this one included). */
  recentInboundCount?: number;
};

/** Negative messages at or above this probability count as strong_negative. */
export const STRONG_NEGATIVE_SCORE = 0.95;
/** This many inbound messages within 10 minutes without a reply count as repeated_contact. */
export const REPEATED_CONTACT_COUNT = 3;
export const REPEATED_CONTACT_WINDOW_MS = 10 * 60 * 1000;

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
 * (negative with score ≥ 0.95), repeated_contact (context.recentInboundCount ≥ 3).
 */
export function detectUrgency(text: string, sentiment: MessageSentiment | null, context: UrgencyContext = {}): Urgency {
  const compact = normalizeText(text).replace(/\s+/gu, '');
  const reasons: UrgencyReason[] = [];
  if (COMPLAINT_THREAT.test(compact)) reasons.push('complaint_threat');
  if (REFUND_REFUSED.test(compact) || (REFUND_WORD.test(compact) && REFUND_STALLED.test(compact))) {
    reasons.push('refund_dispute');
  }
  if (sentiment?.label === 'negative' && sentiment.score >= STRONG_NEGATIVE_SCORE) reasons.push('strong_negative');
  if ((context.recentInboundCount ?? 0) >= REPEATED_CONTACT_COUNT) reasons.push('repeated_contact');
  return { urgent: reasons.length > 0, reasons };
}
