/**
 * What the widget's "talk to a person" button sends, per widget language. Plain constants (no zod), so the widget
 * can import them without the schemas; the bot (knowledge module) recognises every one of them as a hand-off request.
 */
export const HANDOFF_REQUEST_TEXT = {
  'zh-CN': '转人工',
  en: 'Talk to a human agent',
} as const;

export const HANDOFF_REQUEST_TEXTS: readonly string[] = Object.values(HANDOFF_REQUEST_TEXT);

/** The bot's hand-off notice to the customer when an agent is 在线 in business hours. */
export const HANDOFF_MESSAGE = '已为您转接人工客服，请稍候～';
/** Outside the inbox's business hours nobody answers soon: the hand-off says so instead of 请稍候. */
export const OFF_HOURS_HANDOFF_MESSAGE = '已为您转接人工客服，客服上班后会第一时间回复您～';
/** In business hours but no agent of the inbox is 在线 (the widget header says 客服暂时不在): no 请稍候 either. */
export const NOBODY_ONLINE_HANDOFF_MESSAGE = '已为您转接人工客服。现在没有客服在线，客服上线后会第一时间回复您～';
