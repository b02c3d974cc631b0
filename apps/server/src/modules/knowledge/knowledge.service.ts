import {
  type BotSettings,
  type BotStats,
  type BotStatsQuery,
  botSettings,
  botStatsQuery,
  type CreateKbArticleBody,
  type CreateKbCategoryBody,
  createKbArticleBody,
  defaultBotSettings,
  type InboxBotSettings,
  type KbArticle,
  type KbArticleListItem,
  type KbArticleListQuery,
  type KbCategory,
  type KbSearchHit,
  type KbSearchQuery,
  kbArticleListQuery,
  kbSearchQuery,
  type PublicBotInfo,
  type PublicHelpArticle,
  type PublicHelpList,
  type UpdateKbArticleBody,
  type UpdateKbCategoryBody,
} from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import type { InboxSettingsColumn } from '../../db/schema.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { buyerLocaleOf, localizedDefault } from '../../platform/buyer-lines.ts';
import { decodeCursor, decodeIdCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { type AuditService, changedFields, type FieldChange, hasChanges } from '../audit/index.ts';
import { forgetBotSettings } from './bot.service.ts';
import * as repo from './knowledge.repository.ts';
import { htmlToText, sanitizeArticleHtml } from './sanitize.ts';
import { searchTerms, termsOf } from './search-terms.ts';

const toCategory = (row: repo.CategoryRow): KbCategory => ({
  id: row.id,
  parentId: row.parentId,
  name: row.name,
  position: row.position,
  articleCount: row.articleCount,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toArticle = (row: repo.ArticleRow): KbArticle => ({
  id: row.id,
  categoryId: row.categoryId,
  categoryName: row.categoryName,
  title: row.title,
  body: row.body,
  bodyText: row.bodyText,
  questions: row.questions,
  status: row.status,
  locale: row.locale,
  viewCount: row.viewCount,
  helpfulCount: row.helpfulCount,
  notHelpfulCount: row.notHelpfulCount,
  authorId: row.authorId,
  authorName: row.authorName,
  publishedAt: row.publishedAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const toListItem = (row: repo.ArticleRow & { score?: number }): KbArticleListItem => {
  const { body: _body, ...rest } = toArticle(row);
  return { ...rest, score: row.score ?? null };
};

/** The inbox's bot settings, defaults filled in. */
export const botSettingsOf = (settings: InboxSettingsColumn): BotSettings => ({
  ...defaultBotSettings,
  ...(settings.bot ?? {}),
});

const notFound = () => new AppError('kb_article.not_found', '文章不存在');
const categoryNotFound = () => new AppError('kb_category.not_found', '分类不存在');

/** Sanitised body, its text and the search terms of an article being written. */
function derived(input: { title: string; body: string; questions: string[] }) {
  const body = sanitizeArticleHtml(input.body);
  const bodyText = htmlToText(body);
  const questions = [...new Set(input.questions.map((question) => question.trim()).filter(Boolean))];
  return {
    body,
    bodyText,
    questions,
    titleTerms: termsOf([input.title, ...questions]),
    bodyTerms: searchTerms(bodyText.slice(0, 20_000)),
  };
}

function decodeOffset(cursor: string | undefined): number {
  const value = decodeCursor(cursor)?.[0] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100_000)
    throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
  return value;
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;

export function createKnowledgeService({ db, audit }: { db: Db; audit: AuditService }) {
  async function assertCategory(executor: Executor, workspaceId: string, categoryId: string | null | undefined) {
    if (!categoryId) return;
    if (!(await repo.findCategory(executor, workspaceId, categoryId))) {
      throw new AppError('kb_category.not_found', '所选分类不存在');
    }
  }

  /** A category's name for the audit log (null: none, or top level). */
  async function categoryName(executor: Executor, workspaceId: string, categoryId: string | null | undefined) {
    if (!categoryId) return null;
    return (await repo.findCategory(executor, workspaceId, categoryId))?.name ?? null;
  }

  async function loadArticle(executor: Executor, workspaceId: string, id: string) {
    const row = await repo.findArticle(executor, workspaceId, id);
    if (!row) throw notFound();
    return row;
  }

  async function inboxFor(actor: Actor, inboxId: string) {
    const inbox = await repo.findInbox(db, actor.workspaceId, inboxId);
    if (!inbox) throw new AppError('inbox.not_found', '渠道不存在');
    return inbox;
  }

  return {
    // ── categories ──────────────────────────────────────────────────────────────────────────────────
    async listCategories(actor: Actor): Promise<KbCategory[]> {
      assertCan(actor, 'knowledge:read');
      return (await repo.listCategories(db, actor.workspaceId)).map(toCategory);
    },

    async createCategory(actor: Actor, input: CreateKbCategoryBody): Promise<KbCategory> {
      assertCan(actor, 'knowledge:manage');
      const id = newId();
      await db.transaction(async (tx) => {
        if (input.parentId && !(await repo.findCategory(tx, actor.workspaceId, input.parentId))) {
          throw new AppError('kb_category.invalid_parent', '上级分类不存在');
        }
        await repo.insertCategory(tx, {
          id,
          workspaceId: actor.workspaceId,
          name: input.name,
          parentId: input.parentId ?? null,
          position: input.position ?? 0,
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'kb_categories.created',
          targetType: 'kb_category',
          targetId: id,
          details: { name: input.name, parent: await categoryName(tx, actor.workspaceId, input.parentId) },
        });
      });
      return (await repo.listCategories(db, actor.workspaceId)).map(toCategory).find((category) => category.id === id)!;
    },

    async updateCategory(actor: Actor, id: string, input: UpdateKbCategoryBody): Promise<KbCategory> {
      assertCan(actor, 'knowledge:manage');
      await db.transaction(async (tx) => {
        const current = await repo.findCategory(tx, actor.workspaceId, id);
        if (!current) throw categoryNotFound();
        if (input.parentId) {
          // The new parent must exist and must not be the category itself or one of its descendants.
          const all = await repo.listCategories(tx, actor.workspaceId);
          const parentOf = new Map(all.map((row) => [row.id, row.parentId]));
          if (!parentOf.has(input.parentId)) throw new AppError('kb_category.invalid_parent', '上级分类不存在');
          for (let at: string | null | undefined = input.parentId; at; at = parentOf.get(at)) {
            if (at === id) throw new AppError('kb_category.invalid_parent', '不能把分类移到它自己或它的子分类下');
          }
        }
        await repo.updateCategory(tx, actor.workspaceId, id, {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.parentId !== undefined && { parentId: input.parentId }),
          ...(input.position !== undefined && { position: input.position }),
        });
        const changes = changedFields(
          {
            name: current.name,
            parent: await categoryName(tx, actor.workspaceId, current.parentId),
            position: current.position,
          },
          {
            name: input.name,
            parent:
              input.parentId === undefined ? undefined : await categoryName(tx, actor.workspaceId, input.parentId),
            position: input.position,
          },
        );
        if (hasChanges(changes)) {
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: 'kb_categories.updated',
            targetType: 'kb_category',
            targetId: id,
            details: { name: input.name ?? current.name, changes },
          });
        }
      });
      return (await repo.listCategories(db, actor.workspaceId)).map(toCategory).find((category) => category.id === id)!;
    },

    /** Articles in it become uncategorised; child categories move to the top level. */
    async deleteCategory(actor: Actor, id: string): Promise<void> {
      assertCan(actor, 'knowledge:manage');
      await db.transaction(async (tx) => {
        const category = await repo.findCategory(tx, actor.workspaceId, id);
        if (!category) throw categoryNotFound();
        await repo.deleteCategory(tx, actor.workspaceId, id);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'kb_categories.deleted',
          targetType: 'kb_category',
          targetId: id,
          details: { name: category.name },
        });
      });
    },

    // ── articles ────────────────────────────────────────────────────────────────────────────────────
    async listArticles(actor: Actor, rawQuery: KbArticleListQuery) {
      assertCan(actor, 'knowledge:read');
      const query = kbArticleListQuery.parse(rawQuery);
      const filter = {
        workspaceId: actor.workspaceId,
        categoryId: query.categoryId,
        status: query.status,
        locale: query.locale,
      };
      if (query.q) {
        const offset = decodeOffset(query.cursor);
        const rows = await repo.searchArticles(db, filter, searchTerms(query.q), query.q, query.limit + 1, offset);
        return {
          items: rows.slice(0, query.limit).map(toListItem),
          nextCursor: rows.length > query.limit ? encodeCursor([offset + query.limit]) : null,
        };
      }
      const rows = await repo.listArticles(db, filter, query.limit + 1, decodeIdCursor(query.cursor));
      const items = rows.slice(0, query.limit);
      return {
        items: items.map(toListItem),
        nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null,
      };
    },

    async getArticle(actor: Actor, id: string): Promise<KbArticle> {
      assertCan(actor, 'knowledge:read');
      return toArticle(await loadArticle(db, actor.workspaceId, id));
    },

    async createArticle(actor: Actor, rawInput: CreateKbArticleBody): Promise<KbArticle> {
      assertCan(actor, 'knowledge:manage');
      const input = createKbArticleBody.parse(rawInput);
      const id = newId();
      await db.transaction(async (tx) => {
        await assertCategory(tx, actor.workspaceId, input.categoryId);
        await repo.insertArticle(tx, {
          id,
          workspaceId: actor.workspaceId,
          categoryId: input.categoryId ?? null,
          title: input.title,
          ...derived(input),
          status: input.status,
          locale: input.locale,
          authorId: actor.userId,
          publishedAt: input.status === 'published' ? new Date() : null,
        });
        const created = await loadArticle(tx, actor.workspaceId, id);
        const record = (action: string, details: Record<string, unknown>) =>
          audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action,
            targetType: 'kb_article',
            targetId: id,
            details: { title: created.title, ...details },
          });
        await record('kb_articles.created', {
          status: created.status,
          category: created.categoryName,
          locale: created.locale,
        });
        // Published at once: it goes live in the help centre and the bot's answers, which a reviewer looks for.
        if (created.status === 'published') await record('kb_articles.published', {});
      });
      return toArticle(await loadArticle(db, actor.workspaceId, id));
    },

    async updateArticle(actor: Actor, id: string, input: UpdateKbArticleBody): Promise<KbArticle> {
      assertCan(actor, 'knowledge:manage');
      await db.transaction(async (tx) => {
        const current = await loadArticle(tx, actor.workspaceId, id);
        if (input.categoryId !== undefined) await assertCategory(tx, actor.workspaceId, input.categoryId);
        const title = input.title ?? current.title;
        const written = derived({
          title,
          body: input.body ?? current.body,
          questions: input.questions ?? current.questions,
        });
        const publishing = input.status === 'published' && current.status !== 'published';
        await repo.updateArticle(tx, actor.workspaceId, id, {
          title,
          ...written,
          ...(input.status !== undefined && { status: input.status }),
          ...(input.locale !== undefined && { locale: input.locale }),
          ...(input.categoryId !== undefined && { categoryId: input.categoryId }),
          ...(publishing && { publishedAt: new Date() }),
        });
        const updated = await loadArticle(tx, actor.workspaceId, id);
        const changes: Record<string, FieldChange | { changed: true }> = changedFields(
          {
            title: current.title,
            status: current.status,
            category: current.categoryName,
            locale: current.locale,
            questions: current.questions,
          },
          {
            title: updated.title,
            status: updated.status,
            category: updated.categoryName,
            locale: updated.locale,
            questions: updated.questions,
          },
        );
        // The body is too long for the log: that it changed is enough (the article itself shows the text).
        if (updated.body !== current.body) changes.body = { changed: true };
        if (hasChanges(changes)) {
          const unpublishing = current.status === 'published' && updated.status !== 'published';
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: publishing
              ? 'kb_articles.published'
              : unpublishing
                ? 'kb_articles.unpublished'
                : 'kb_articles.updated',
            targetType: 'kb_article',
            targetId: id,
            details: { title: updated.title, changes },
          });
        }
      });
      return toArticle(await loadArticle(db, actor.workspaceId, id));
    },

    async deleteArticle(actor: Actor, id: string): Promise<void> {
      assertCan(actor, 'knowledge:manage');
      await db.transaction(async (tx) => {
        const [deleted] = await repo.deleteArticle(tx, actor.workspaceId, id);
        if (!deleted) throw notFound();
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'kb_articles.deleted',
          targetType: 'kb_article',
          targetId: id,
          details: { title: deleted.title },
        });
      });
    },

    /** Agents' search from the workbench: published articles, best first, with a help-centre link. */
    async search(actor: Actor, rawQuery: KbSearchQuery): Promise<{ items: KbSearchHit[] }> {
      assertCan(actor, 'knowledge:read');
      const query = kbSearchQuery.parse(rawQuery);
      const rows = await repo.searchArticles(
        db,
        { workspaceId: actor.workspaceId, status: 'published', locale: query.locale },
        searchTerms(query.q),
        query.q,
        query.limit,
        0,
      );
      const token = await repo.helpCenterToken(db, actor.workspaceId);
      return {
        items: rows.map((row) => ({
          id: row.id,
          title: row.title,
          bodyText: row.bodyText,
          url: token ? `/help/${encodeURIComponent(token)}/articles/${row.id}` : null,
          score: row.score,
        })),
      };
    },

    // ── bot settings + stats ────────────────────────────────────────────────────────────────────────
    async listBotSettings(actor: Actor): Promise<InboxBotSettings[]> {
      assertCan(actor, 'knowledge:read');
      const rows = await repo.listInboxes(db, actor.workspaceId);
      return rows.map((row) => ({ inboxId: row.id, inboxName: row.name, settings: botSettingsOf(row.settings) }));
    },

    async getBotSettings(actor: Actor, inboxId: string): Promise<InboxBotSettings> {
      assertCan(actor, 'knowledge:read');
      const inbox = await inboxFor(actor, inboxId);
      return { inboxId: inbox.id, inboxName: inbox.name, settings: botSettingsOf(inbox.settings) };
    },

    async updateBotSettings(actor: Actor, inboxId: string, input: BotSettings): Promise<InboxBotSettings> {
      assertCan(actor, 'knowledge:manage');
      const settings = botSettings.parse(input);
      await db.transaction(async (tx) => {
        if (!(await repo.findInbox(tx, actor.workspaceId, inboxId)))
          throw new AppError('inbox.not_found', '渠道不存在');
        await repo.setBotSettings(tx, actor.workspaceId, inboxId, settings);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'bot_settings.updated',
          targetType: 'inbox',
          targetId: inboxId,
          details: { enabled: settings.enabled, threshold: settings.threshold },
        });
      });
      forgetBotSettings(actor.workspaceId, inboxId);
      return this.getBotSettings(actor, inboxId);
    },

    async botStats(actor: Actor, rawQuery: BotStatsQuery): Promise<BotStats> {
      assertCan(actor, 'knowledge:read');
      const query = botStatsQuery.parse(rawQuery);
      if (query.inboxId) await inboxFor(actor, query.inboxId);
      const since = new Date(Date.now() - query.days * 86_400_000);
      const result = await db.execute<{
        sessions: number;
        answered: number;
        resolved: number;
        handed_off: number;
        requested: number;
        low_confidence: number;
        negative: number;
        urgent: number;
        agent: number;
      }>(sql`
        select count(*)::int as sessions,
               coalesce(sum(answers_count), 0)::int as answered,
               (count(*) filter (where state = 'resolved_by_bot'))::int as resolved,
               (count(*) filter (where state = 'handed_off'))::int as handed_off,
               (count(*) filter (where state = 'handed_off' and reason = 'requested'))::int as requested,
               (count(*) filter (where state = 'handed_off' and reason = 'low_confidence'))::int as low_confidence,
               (count(*) filter (where state = 'handed_off' and reason = 'negative'))::int as negative,
               (count(*) filter (where state = 'handed_off' and reason = 'urgent'))::int as urgent,
               (count(*) filter (where state = 'handed_off' and reason = 'agent'))::int as agent
          from bot_sessions
         where workspace_id = ${actor.workspaceId}
           and created_at >= ${since.toISOString()}
           ${query.inboxId ? sql`and inbox_id = ${query.inboxId}` : sql``}`);
      const row = result.rows[0]!;
      const rate = (count: number) => (row.sessions > 0 ? Math.round((count / row.sessions) * 1000) / 1000 : 0);
      return {
        sessions: row.sessions,
        answered: row.answered,
        resolvedByBot: row.resolved,
        handedOff: row.handed_off,
        resolutionRate: rate(row.resolved),
        handoffRate: rate(row.handed_off),
        handoffReasons: {
          requested: row.requested,
          low_confidence: row.low_confidence,
          negative: row.negative,
          urgent: row.urgent,
          agent: row.agent,
        },
      };
    },

    // ── public help centre (no sign-in; published articles of the inbox's workspace) ──────────────────
    async publicInbox(inboxToken: string) {
      const inbox = await repo.findInboxByToken(db, inboxToken);
      if (!inbox) throw new AppError('inbox.not_found', '帮助中心不存在');
      return inbox;
    },

    async publicList(
      inboxToken: string,
      query: { q?: string; categoryId?: string; locale?: 'zh-CN' | 'en' },
    ): Promise<PublicHelpList> {
      const inbox = await this.publicInbox(inboxToken);
      const filter = {
        workspaceId: inbox.workspaceId,
        status: 'published' as const,
        categoryId: query.categoryId,
        locale: query.locale,
      };
      const rows = query.q
        ? await repo.searchArticles(db, filter, searchTerms(query.q), query.q, 50, 0)
        : await repo.listArticles(db, filter, 200);
      const categories = await repo.listCategories(db, inbox.workspaceId);
      return {
        categories: categories.map((row) => ({ id: row.id, parentId: row.parentId, name: row.name })),
        articles: rows.map((row) => ({
          id: row.id,
          categoryId: row.categoryId,
          title: row.title,
          excerpt: row.bodyText.length > 120 ? `${row.bodyText.slice(0, 120)}…` : row.bodyText,
          updatedAt: row.updatedAt.toISOString(),
        })),
      };
    },

    async publicArticle(inboxToken: string, id: string): Promise<PublicHelpArticle> {
      const inbox = await this.publicInbox(inboxToken);
      const row = await repo.findArticle(db, inbox.workspaceId, id);
      if (row?.status !== 'published') throw notFound();
      await repo.countView(db, inbox.workspaceId, id);
      return {
        id: row.id,
        categoryId: row.categoryId,
        title: row.title,
        body: row.body,
        updatedAt: row.updatedAt.toISOString(),
      };
    },

    /**
     * What the widget shows at the start: greeting and quick questions (settings, else the top FAQ titles). The
     * product's default greeting follows the buyer's `locale`; a greeting the shop wrote is shown as written.
     */
    async publicBotInfo(inboxToken: string, locale?: string): Promise<PublicBotInfo> {
      const inbox = await this.publicInbox(inboxToken);
      const settings = botSettingsOf(inbox.settings);
      if (!settings.enabled) return { enabled: false, greeting: '', quickQuestions: [] };
      let quickQuestions = settings.quickQuestions;
      if (quickQuestions.length === 0) {
        const top = await db.execute<{ title: string }>(sql`
          select title from kb_articles
           where workspace_id = ${inbox.workspaceId} and status = 'published'
           order by view_count desc, id desc limit 4`);
        quickQuestions = top.rows.map((row) => row.title);
      }
      const greeting = localizedDefault(settings.greeting, 'botGreeting', buyerLocaleOf(locale));
      return { enabled: true, greeting, quickQuestions };
    },
  };
}
