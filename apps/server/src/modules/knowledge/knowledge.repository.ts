import { and, asc, desc, eq, lt, or, type SQL, sql } from 'drizzle-orm';
import { inboxes, kbArticles, kbCategories, users } from '../../db/schema.ts';
import { containsPattern, type Executor } from '../../platform/db-helpers.ts';
import { matchesSpelling, spelledQuery } from './search-terms.ts';

export type CategoryRow = typeof kbCategories.$inferSelect & { articleCount: number };
export type ArticleRow = typeof kbArticles.$inferSelect & { categoryName: string | null; authorName: string | null };
export type ArticleInsert = typeof kbArticles.$inferInsert;

export async function listCategories(executor: Executor, workspaceId: string): Promise<CategoryRow[]> {
  return executor
    .select({
      id: kbCategories.id,
      workspaceId: kbCategories.workspaceId,
      parentId: kbCategories.parentId,
      name: kbCategories.name,
      position: kbCategories.position,
      createdAt: kbCategories.createdAt,
      updatedAt: kbCategories.updatedAt,
      articleCount: sql<number>`(select count(*)::int from kb_articles a where a.workspace_id = kb_categories.workspace_id and a.category_id = kb_categories.id)`,
    })
    .from(kbCategories)
    .where(eq(kbCategories.workspaceId, workspaceId))
    .orderBy(asc(kbCategories.position), asc(kbCategories.id));
}

export async function findCategory(executor: Executor, workspaceId: string, id: string) {
  const [row] = await executor
    .select()
    .from(kbCategories)
    .where(and(eq(kbCategories.workspaceId, workspaceId), eq(kbCategories.id, id)));
  return row;
}

export const insertCategory = (executor: Executor, row: typeof kbCategories.$inferInsert) =>
  executor.insert(kbCategories).values(row);

export const updateCategory = (
  executor: Executor,
  workspaceId: string,
  id: string,
  values: Partial<typeof kbCategories.$inferInsert>,
) =>
  executor
    .update(kbCategories)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(kbCategories.workspaceId, workspaceId), eq(kbCategories.id, id)));

export const deleteCategory = (executor: Executor, workspaceId: string, id: string) =>
  executor.delete(kbCategories).where(and(eq(kbCategories.workspaceId, workspaceId), eq(kbCategories.id, id)));

const articleColumns = {
  id: kbArticles.id,
  workspaceId: kbArticles.workspaceId,
  categoryId: kbArticles.categoryId,
  title: kbArticles.title,
  body: kbArticles.body,
  bodyText: kbArticles.bodyText,
  questions: kbArticles.questions,
  status: kbArticles.status,
  locale: kbArticles.locale,
  viewCount: kbArticles.viewCount,
  helpfulCount: kbArticles.helpfulCount,
  notHelpfulCount: kbArticles.notHelpfulCount,
  authorId: kbArticles.authorId,
  publishedAt: kbArticles.publishedAt,
  titleTerms: kbArticles.titleTerms,
  bodyTerms: kbArticles.bodyTerms,
  createdAt: kbArticles.createdAt,
  updatedAt: kbArticles.updatedAt,
  categoryName: kbCategories.name,
  authorName: users.name,
};

const joinNames = () =>
  [
    and(eq(kbCategories.workspaceId, kbArticles.workspaceId), eq(kbCategories.id, kbArticles.categoryId)),
    and(eq(users.workspaceId, kbArticles.workspaceId), eq(users.id, kbArticles.authorId)),
  ] as const;

const articlesWithNames = (executor: Executor) =>
  executor
    .select(articleColumns)
    .from(kbArticles)
    .leftJoin(kbCategories, joinNames()[0])
    .leftJoin(users, joinNames()[1]);

export async function findArticle(
  executor: Executor,
  workspaceId: string,
  id: string,
): Promise<ArticleRow | undefined> {
  const [row] = await articlesWithNames(executor).where(
    and(eq(kbArticles.workspaceId, workspaceId), eq(kbArticles.id, id)),
  );
  return row;
}

export const insertArticle = (executor: Executor, row: ArticleInsert) => executor.insert(kbArticles).values(row);

export const updateArticle = (executor: Executor, workspaceId: string, id: string, values: Partial<ArticleInsert>) =>
  executor
    .update(kbArticles)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(kbArticles.workspaceId, workspaceId), eq(kbArticles.id, id)))
    .returning({ id: kbArticles.id });

export const deleteArticle = (executor: Executor, workspaceId: string, id: string) =>
  executor
    .delete(kbArticles)
    .where(and(eq(kbArticles.workspaceId, workspaceId), eq(kbArticles.id, id)))
    .returning({ id: kbArticles.id, title: kbArticles.title });

export type ArticleFilter = {
  workspaceId: string;
  categoryId?: string;
  status?: 'draft' | 'published';
  locale?: 'zh-CN' | 'en';
};

const filterConditions = (filter: ArticleFilter): SQL[] => {
  const conditions: SQL[] = [eq(kbArticles.workspaceId, filter.workspaceId)];
  if (filter.categoryId) conditions.push(eq(kbArticles.categoryId, filter.categoryId));
  if (filter.status) conditions.push(eq(kbArticles.status, filter.status));
  if (filter.locale) conditions.push(eq(kbArticles.locale, filter.locale));
  return conditions;
};

/** Newest first, keyset on the (UUIDv7) id. */
export async function listArticles(executor: Executor, filter: ArticleFilter, limit: number, beforeId?: string) {
  const conditions = filterConditions(filter);
  if (beforeId) conditions.push(lt(kbArticles.id, beforeId));
  return articlesWithNames(executor)
    .where(and(...conditions))
    .orderBy(desc(kbArticles.id))
    .limit(limit);
}

/** Articles a pinyin scan reads at most (a knowledge base has hundreds; the scan is in JS, per search). */
const SPELLING_SCAN_MAX = 5_000;

/**
 * Ids of the filter's articles whose title or a question variant a query typed as pinyin or initials spells
 * (search-terms.ts matchesSpelling); empty for any other query.
 */
async function spelledArticleIds(executor: Executor, filter: ArticleFilter, raw: string): Promise<string[]> {
  const spelled = spelledQuery(raw);
  if (!spelled) return [];
  const rows = await executor
    .select({ id: kbArticles.id, title: kbArticles.title, questions: kbArticles.questions })
    .from(kbArticles)
    .where(and(...filterConditions(filter)))
    .orderBy(desc(kbArticles.id))
    .limit(SPELLING_SCAN_MAX);
  return rows.filter((row) => matchesSpelling([row.title, ...row.questions], spelled)).map((row) => row.id);
}

/**
 * Articles sharing a term with the query (or whose title contains the raw query, or whose title or a question variant
 * the query spells in pinyin or initials), ranked: each query term found in the title or a question variant counts 3,
 * in the body 1, the title containing the query 2, a pinyin spelling 3; ties newest first.
 */
export async function searchArticles(
  executor: Executor,
  filter: ArticleFilter,
  terms: string[],
  raw: string,
  limit: number,
  offset: number,
) {
  const spelledIds = await spelledArticleIds(executor, filter, raw);
  const termArray = sql`${sql.param(terms)}::text[]`;
  const titleHits = sql<number>`(select count(*) from unnest(${termArray}) q where q = any(${kbArticles.titleTerms}))`;
  const bodyHits = sql<number>`(select count(*) from unnest(${termArray}) q where q = any(${kbArticles.bodyTerms}))`;
  const titleContains = sql<number>`(case when ${kbArticles.title} ilike ${containsPattern(raw)} then 2 else 0 end)`;
  const spelledArray = sql`${sql.param(spelledIds)}::uuid[]`;
  const spelledHit =
    spelledIds.length > 0 ? sql<number>`(case when ${kbArticles.id} = any(${spelledArray}) then 3 else 0 end)` : sql`0`;
  const score = sql<number>`(3 * ${titleHits} + ${bodyHits} + ${titleContains} + ${spelledHit})::float`;
  const matches = [sql`${kbArticles.title} ilike ${containsPattern(raw)}`];
  if (terms.length > 0)
    matches.push(sql`${kbArticles.titleTerms} && ${termArray}`, sql`${kbArticles.bodyTerms} && ${termArray}`);
  if (spelledIds.length > 0) matches.push(sql`${kbArticles.id} = any(${spelledArray})`);
  return executor
    .select({ ...articleColumns, score })
    .from(kbArticles)
    .leftJoin(kbCategories, joinNames()[0])
    .leftJoin(users, joinNames()[1])
    .where(and(...filterConditions(filter), or(...matches)))
    .orderBy(desc(score), desc(kbArticles.id))
    .limit(limit)
    .offset(offset);
}

/** Published articles' FAQ texts, for the bot. */
export const faqCandidates = (executor: Executor, workspaceId: string) =>
  executor
    .select({
      id: kbArticles.id,
      title: kbArticles.title,
      questions: kbArticles.questions,
      bodyText: kbArticles.bodyText,
    })
    .from(kbArticles)
    .where(and(eq(kbArticles.workspaceId, workspaceId), eq(kbArticles.status, 'published')));

export async function findInbox(executor: Executor, workspaceId: string, id: string) {
  const [row] = await executor
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, id)));
  return row;
}

export async function findInboxByToken(executor: Executor, token: string) {
  const [row] = await executor.select().from(inboxes).where(eq(inboxes.token, token));
  return row;
}

export const listInboxes = (executor: Executor, workspaceId: string) =>
  executor.select().from(inboxes).where(eq(inboxes.workspaceId, workspaceId)).orderBy(asc(inboxes.createdAt));

/** Sets only the `bot` key of the inbox settings (other modules own the other keys). */
export const setBotSettings = (executor: Executor, workspaceId: string, inboxId: string, bot: unknown) =>
  executor
    .update(inboxes)
    .set({
      settings: sql`jsonb_set(${inboxes.settings}, '{bot}', ${JSON.stringify(bot)}::jsonb, true)`,
      updatedAt: new Date(),
    })
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId)));

/** The token of the workspace's first website inbox (help-centre links), if any. */
export async function helpCenterToken(executor: Executor, workspaceId: string): Promise<string | null> {
  const [row] = await executor
    .select({ token: inboxes.token })
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.channelType, 'website')))
    .orderBy(asc(inboxes.createdAt))
    .limit(1);
  return row?.token ?? null;
}

export const countView = (executor: Executor, workspaceId: string, id: string) =>
  executor
    .update(kbArticles)
    .set({ viewCount: sql`${kbArticles.viewCount} + 1` })
    .where(and(eq(kbArticles.workspaceId, workspaceId), eq(kbArticles.id, id)));
