/**
 * What the widget's "talk to a person" button sends, per widget language. Plain constants (no zod), so the widget
 * can import them without the schemas; the bot (knowledge module) recognises every one of them as a hand-off request.
 */
export const HANDOFF_REQUEST_TEXT = {
  'zh-CN': '转人工',
  en: 'Talk to a human agent',
} as const;

export const HANDOFF_REQUEST_TEXTS: readonly string[] = Object.values(HANDOFF_REQUEST_TEXT);
