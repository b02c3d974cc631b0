/**
 * Scoring of an inbound customer message on the ingest path: sentiment, then urgency from the text and the
 * sentiment (repeated_contact is added by the caller, which knows the conversation). Never throws: if the model
 * cannot be loaded the message is stored unscored (null) and a warning is emitted once.
 */
import type { MessageSentiment } from '@huike/contracts';
import { scoreSentiment } from './model.ts';
import { detectUrgency, type Urgency } from './urgency.ts';

/**
 * Below this probability a message reads as neutral. The model learnt from product reviews, where questions are
 * rare: plain questions such as 在吗 or 什么时候发货 score 0.6–0.8 negative, the complaints we tried 0.81 and above.
 */
export const CLEAR_SENTIMENT_SCORE = 0.8;

let warned = false;

/**
 * Whether an inbound message is the customer's own words and worth scoring: not a stand-in a channel wrote for
 * media or an event (WeChat's [图片], [语音] without recognised text, [关注公众号]; an email's （无正文）) and not empty
 * (attachments only). Such messages get no sentiment and no urgency (not even repeated_contact, migration 0034).
 */
export const isScorable = (message: { content: string; isPlaceholder?: boolean }): boolean =>
  !message.isPlaceholder && message.content.trim() !== '';

export function analyseInbound(text: string): { sentiment: MessageSentiment; urgency: Urgency } | null {
  try {
    const scored = scoreSentiment(text);
    const sentiment: MessageSentiment =
      scored.score >= CLEAR_SENTIMENT_SCORE ? scored : { label: 'neutral', score: scored.score };
    return { sentiment, urgency: detectUrgency(text, sentiment) };
  } catch (error) {
    if (!warned) {
      warned = true;
      process.emitWarning(
        `情感模型不可用，消息将不做情感分析：${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return null;
  }
}
