import { z } from 'zod';
import { id, isoDateTime, listQuery, trimmedString } from './common.ts';
import { buyerLanguageTag } from './public-channel.ts';

// ---------------------------------------------------------------------------------------------------------
// Knowledge base (知识库): categories, FAQ/help articles, agent search, the public help centre and the inbox bot.
// ---------------------------------------------------------------------------------------------------------

export const kbArticleStatuses = ['draft', 'published'] as const;
export type KbArticleStatus = (typeof kbArticleStatuses)[number];
export const kbLocales = ['zh-CN', 'en'] as const;
export type KbLocale = (typeof kbLocales)[number];

export const KB_TITLE_MAX = 200;
export const KB_BODY_MAX = 50_000;
export const KB_QUESTION_MAX = 200;
export const KB_QUESTIONS_MAX = 30;

export const kbCategory = z.object({
  id,
  parentId: id.nullable(),
  name: z.string(),
  position: z.number().int(),
  /** Published + draft articles in it (not in its children). */
  articleCount: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type KbCategory = z.infer<typeof kbCategory>;

export const createKbCategoryBody = z.strictObject({
  name: trimmedString().min(1, '请填写分类名称').max(50),
  parentId: id.nullable().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
});
export type CreateKbCategoryBody = z.infer<typeof createKbCategoryBody>;
export const updateKbCategoryBody = createKbCategoryBody.partial();
export type UpdateKbCategoryBody = z.infer<typeof updateKbCategoryBody>;

export const kbArticle = z.object({
  id,
  categoryId: id.nullable(),
  categoryName: z.string().nullable(),
  title: z.string(),
  /** Sanitised HTML (the server strips scripts, event handlers, unsafe URLs). */
  body: z.string(),
  /** Plain-text copy of the body (for search and for inserting into a chat). */
  bodyText: z.string(),
  /** FAQ question variants (the ways customers ask this). */
  questions: z.array(z.string()),
  status: z.enum(kbArticleStatuses),
  locale: z.enum(kbLocales),
  viewCount: z.number().int(),
  helpfulCount: z.number().int(),
  notHelpfulCount: z.number().int(),
  authorId: id.nullable(),
  authorName: z.string().nullable(),
  publishedAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type KbArticle = z.infer<typeof kbArticle>;

/** List rows leave out the body. */
export const kbArticleListItem = kbArticle.omit({ body: true }).extend({
  /** Relevance when searched (title/variant hits weigh more than body hits); null otherwise. */
  score: z.number().nullable(),
});
export type KbArticleListItem = z.infer<typeof kbArticleListItem>;

const kbQuestion = trimmedString().min(1).max(KB_QUESTION_MAX, `问法最多 ${KB_QUESTION_MAX} 个字`);

export const createKbArticleBody = z.strictObject({
  title: trimmedString().min(1, '请填写标题').max(KB_TITLE_MAX, `标题最多 ${KB_TITLE_MAX} 个字`),
  body: z.string().max(KB_BODY_MAX, '正文太长'),
  questions: z.array(kbQuestion).max(KB_QUESTIONS_MAX, `最多 ${KB_QUESTIONS_MAX} 个问法`).default([]),
  status: z.enum(kbArticleStatuses).default('draft'),
  locale: z.enum(kbLocales).default('zh-CN'),
  categoryId: id.nullable().optional(),
});
export type CreateKbArticleBody = z.input<typeof createKbArticleBody>;

export const updateKbArticleBody = z.strictObject({
  title: createKbArticleBody.shape.title.optional(),
  body: createKbArticleBody.shape.body.optional(),
  questions: z.array(kbQuestion).max(KB_QUESTIONS_MAX, `最多 ${KB_QUESTIONS_MAX} 个问法`).optional(),
  status: z.enum(kbArticleStatuses).optional(),
  locale: z.enum(kbLocales).optional(),
  categoryId: id.nullable().optional(),
});
export type UpdateKbArticleBody = z.infer<typeof updateKbArticleBody>;

export const kbArticleListQuery = listQuery.extend({
  q: trimmedString().max(100).optional(),
  categoryId: id.optional(),
  status: z.enum(kbArticleStatuses).optional(),
  locale: z.enum(kbLocales).optional(),
});
export type KbArticleListQuery = z.input<typeof kbArticleListQuery>;

/** Agent search from the workbench (published articles only). */
export const kbSearchQuery = z.strictObject({
  q: trimmedString().min(1, '请输入搜索内容').max(100),
  limit: z.coerce.number().int().min(1).max(20).default(8),
  locale: z.enum(kbLocales).optional(),
});
export type KbSearchQuery = z.input<typeof kbSearchQuery>;

export const kbSearchHit = z.object({
  id,
  title: z.string(),
  /** Plain-text answer, ready to insert into a reply. */
  bodyText: z.string(),
  /** Public help-centre link, when the workspace has a website inbox. */
  url: z.string().nullable(),
  score: z.number(),
});
export type KbSearchHit = z.infer<typeof kbSearchHit>;

// ── Bot ────────────────────────────────────────────────────────────────────────────────────────────────

export const BOT_DEFAULT_THRESHOLD = 0.6;
export const BOT_QUICK_QUESTIONS_MAX = 6;

/** Per inbox, kept under the `bot` key of the inbox settings. */
export const botSettings = z.strictObject({
  enabled: z.boolean(),
  /** Minimum match confidence (0..1) for the bot to answer; below it the conversation goes to an agent. */
  threshold: z.number().min(0, '阈值在 0 到 1 之间').max(1, '阈值在 0 到 1 之间'),
  greeting: trimmedString().max(200, '欢迎语最多 200 个字'),
  quickQuestions: z
    .array(trimmedString().min(1).max(50, '快捷问题最多 50 个字'))
    .max(BOT_QUICK_QUESTIONS_MAX, `最多 ${BOT_QUICK_QUESTIONS_MAX} 个快捷问题`),
});
export type BotSettings = z.infer<typeof botSettings>;

export const defaultBotSettings: BotSettings = {
  enabled: false,
  threshold: BOT_DEFAULT_THRESHOLD,
  greeting: '您好，我是智能客服小慧，请问有什么可以帮您？',
  quickQuestions: [],
};

export const inboxBotSettings = z.object({ inboxId: id, inboxName: z.string(), settings: botSettings });
export type InboxBotSettings = z.infer<typeof inboxBotSettings>;

export const botStatsQuery = z.strictObject({
  inboxId: id.optional(),
  /** Last N days (default 30). */
  days: z.coerce.number().int().min(1).max(365).default(30),
});
export type BotStatsQuery = z.input<typeof botStatsQuery>;

export const botStats = z.object({
  /** Conversations the bot took part in. */
  sessions: z.number().int(),
  /** Questions the bot answered. */
  answered: z.number().int(),
  resolvedByBot: z.number().int(),
  handedOff: z.number().int(),
  /** resolvedByBot / sessions (0 when none). 机器人解决率 */
  resolutionRate: z.number(),
  /** handedOff / sessions (0 when none). 转人工率 */
  handoffRate: z.number(),
  handoffReasons: z.object({
    requested: z.number().int(),
    low_confidence: z.number().int(),
    negative: z.number().int(),
    urgent: z.number().int(),
    agent: z.number().int(),
  }),
});
export type BotStats = z.infer<typeof botStats>;

// ── Public help centre / widget ───────────────────────────────────────────────────────────────────────

export const publicHelpQuery = z.strictObject({
  q: trimmedString().max(100).optional(),
  categoryId: id.optional(),
  locale: z.enum(kbLocales).optional(),
});

export const publicHelpArticle = z.object({
  id,
  categoryId: id.nullable(),
  title: z.string(),
  body: z.string(),
  updatedAt: isoDateTime,
});
export type PublicHelpArticle = z.infer<typeof publicHelpArticle>;

export const publicHelpList = z.object({
  categories: z.array(z.object({ id, parentId: id.nullable(), name: z.string() })),
  articles: z.array(publicHelpArticle.omit({ body: true }).extend({ excerpt: z.string() })),
});
export type PublicHelpList = z.infer<typeof publicHelpList>;

/** What the widget shows before the first message when the bot is on. */
export const publicBotInfo = z.object({
  enabled: z.boolean(),
  greeting: z.string(),
  quickQuestions: z.array(z.string()),
});
export type PublicBotInfo = z.infer<typeof publicBotInfo>;
export const publicBotInfoQuery = z.strictObject({ locale: buyerLanguageTag.optional() });
