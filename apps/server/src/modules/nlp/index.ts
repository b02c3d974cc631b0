/** Public surface of the nlp module: sentiment of a text and urgency of an inbound message. */

export { alertsRoutes } from './alerts.routes.ts';
export { type AlertsService, createAlertsService } from './alerts.service.ts';
export { analyseInbound, isScorable } from './inbound.ts';
export { type Sentiment, type SentimentLabel, scoreSentiment, sentimentModel } from './model.ts';
export {
  detectUrgency,
  REPEATED_CONTACT_COUNT,
  REPEATED_CONTACT_MIN_WAIT_MS,
  STRONG_NEGATIVE_SCORE,
  URGENCY_REASONS,
  type Urgency,
  type UrgencyContext,
  type UrgencyReason,
} from './urgency.ts';
