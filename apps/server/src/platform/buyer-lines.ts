import {
  DEFAULT_CSAT_QUESTION,
  DEFAULT_NPS_QUESTION,
  defaultBotSettings,
  HANDOFF_MESSAGE,
  inboxSettings,
  NOBODY_ONLINE_HANDOFF_MESSAGE,
  OFF_HOURS_HANDOFF_MESSAGE,
} from '@huike/contracts';

/** The languages the product speaks to buyers in: the shop's (Chinese) and English for everyone else. */
export type BuyerLocale = 'zh-CN' | 'en';

const DEFAULT_INBOX_GREETING = inboxSettings.parse({}).greeting;

/**
 * Every line the product itself says to buyers, per language. Lines a shop writes (its own greeting, away message,
 * survey question, articles, templates) are never translated: only a text equal to one of these built-in defaults is.
 */
export const BUYER_LINES = {
  'zh-CN': {
    handoff: HANDOFF_MESSAGE,
    handoffOffHours: OFF_HOURS_HANDOFF_MESSAGE,
    handoffNobodyOnline: NOBODY_ONLINE_HANDOFF_MESSAGE,
    answerCut: '…（详见帮助中心）',
    csatLead: '感谢您的咨询！',
    npsLead: '感谢您一直以来的支持！',
    surveyLink: '点击评价：',
    csatQuestion: DEFAULT_CSAT_QUESTION,
    npsQuestion: DEFAULT_NPS_QUESTION,
    offlineReply: '您好，现在是非工作时间，我们将于{{next_open}}回复您。',
    offlineReplyNoOpening: '工作时间',
    inboxGreeting: DEFAULT_INBOX_GREETING,
    botGreeting: defaultBotSettings.greeting,
  },
  en: {
    handoff: 'Connecting you to a human agent, one moment please.',
    handoffOffHours:
      'Connecting you to a human agent. We are outside business hours now; an agent will reply first thing when we are back.',
    handoffNobodyOnline:
      'Connecting you to a human agent. No agent is online right now; one will reply as soon as they are back.',
    answerCut: '… (see the help centre for more)',
    csatLead: 'Thank you for contacting us! ',
    npsLead: 'Thank you for your continued support! ',
    surveyLink: ' Rate us: ',
    csatQuestion: 'How satisfied are you with our service?',
    npsQuestion: 'How likely are you to recommend us to a friend or colleague?',
    offlineReply: 'Hello, we are outside business hours now and will reply {{next_open}}.',
    offlineReplyNoOpening: 'during business hours',
    inboxGreeting: 'Hello, how can we help you?',
    botGreeting: 'Hello, I am the assistant. How can I help you?',
  },
} as const satisfies Record<BuyerLocale, Record<string, string>>;

/** The public survey page (/s/{token}), per language; `{{score}}` is the score a button gives. */
export const SURVEY_PAGE_LINES = {
  'zh-CN': {
    title: '服务评价',
    invalid: '评价链接无效',
    invalidNote: '链接可能不完整，请从对话中的链接重新打开。',
    thanks: '感谢您的评价！',
    alreadyAnswered: '您已经评价过了，感谢您的反馈',
    expired: '评价邀请已过期',
    expiredNote: '感谢您的关注。',
    scoreLabel: '{{score}} 分',
    npsLow: '完全不可能',
    npsHigh: '非常可能',
    commentPlaceholder: '还有什么想告诉我们的吗？（选填）',
    submit: '提交',
    submitFailed: '提交失败，请稍后重试',
    networkError: '网络异常，请稍后重试',
  },
  en: {
    title: 'Rate our service',
    invalid: 'This survey link is not valid',
    invalidNote: 'The link may be incomplete. Please open it again from the link in your conversation.',
    thanks: 'Thank you for your feedback!',
    alreadyAnswered: 'You have already answered. Thank you for your feedback.',
    expired: 'This survey has expired',
    expiredNote: 'Thank you for your interest.',
    scoreLabel: 'Score {{score}}',
    npsLow: 'Not at all likely',
    npsHigh: 'Extremely likely',
    commentPlaceholder: 'Anything else you would like to tell us? (optional)',
    submit: 'Submit',
    submitFailed: 'Could not submit, please try again later',
    networkError: 'Network problem, please try again later',
  },
} as const satisfies Record<BuyerLocale, Record<string, string>>;

export type BuyerLineKey = keyof (typeof BUYER_LINES)['zh-CN'];

export const buyerLine = (locale: BuyerLocale, key: BuyerLineKey): string => BUYER_LINES[locale][key];

/**
 * A built-in default in the buyer's language; any other text (one the shop wrote) as it is. Shops that never
 * changed a default keep the product's text stored in Chinese, so equality with the Chinese default tells them apart.
 */
export function localizedDefault(text: string, key: BuyerLineKey, locale: BuyerLocale): string {
  return text === BUYER_LINES['zh-CN'][key] ? BUYER_LINES[locale][key] : text;
}

/** A browser language tag (navigator.language): Chinese of any region → zh-CN, any other language → en. */
export function localeFromTag(tag: unknown): BuyerLocale | null {
  if (typeof tag !== 'string' || !tag.trim()) return null;
  return /^zh\b/i.test(tag.trim()) ? 'zh-CN' : 'en';
}

/** A browser language tag's locale; Chinese, the shop's language, when there is none. */
export const buyerLocaleOf = (tag: unknown): BuyerLocale => localeFromTag(tag) ?? 'zh-CN';

const LATIN_WORD = /[A-Za-z]+/g;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/**
 * The buyer's language guessed from what they wrote: English when Latin words outnumber CJK characters. Counting
 * words, not letters, keeps 「iPhone 15 Pro 有货吗」 Chinese; text with neither (digits, emoji) stays Chinese.
 */
export function guessBuyerLocale(text: string): BuyerLocale {
  const latinWords = text.match(LATIN_WORD)?.length ?? 0;
  const cjkChars = text.match(CJK_CHAR)?.length ?? 0;
  return latinWords > cjkChars ? 'en' : 'zh-CN';
}

/** A buyer's message's language: what their widget said (channelMeta.locale), else a guess from the text. */
export function messageBuyerLocale(message: {
  content: string;
  channelMeta?: Record<string, unknown> | null;
}): BuyerLocale {
  return localeFromTag(message.channelMeta?.locale) ?? guessBuyerLocale(message.content);
}
