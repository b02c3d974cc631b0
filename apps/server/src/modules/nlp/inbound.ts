/**
 * Scoring of an inbound customer message on the ingest path: sentiment, then urgency from the text and the
 * sentiment (repeated_contact is added by the caller, which knows the conversation). Never throws: if the model
 * cannot be loaded the message is stored unscored (null) and a warning is emitted once.
 */
import { type Sentiment, scoreSentiment } from './model.ts';
import { detectUrgency, type Urgency } from './urgency.ts';

let warned = false;

export function analyseInbound(text: string): { sentiment: Sentiment; urgency: Urgency } | null {
  try {
    const sentiment = scoreSentiment(text);
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
