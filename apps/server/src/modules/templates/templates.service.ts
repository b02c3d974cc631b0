import {
  type CreateTemplateBody,
  createTemplateBody,
  type RenderedTemplate,
  type Template,
  type TemplateAttachment,
  type TemplateListItem,
  type TemplateListQuery,
  type TemplateUsageQuery,
  type TemplateUsageReport,
  templateListQuery,
  type UpdateTemplateBody,
  unknownTemplateVariables,
} from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import { decodeCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { normalizeText } from '../../platform/text/index.ts';
import { customerSegmentIds } from '../segments/index.ts';
import { fillVariables, templateSearch, variableValues } from './template-render.ts';
import * as repo from './templates.repository.ts';

export const toTemplate = (row: repo.TemplateRow): Template => ({
  id: row.id,
  scope: row.scope,
  ownerUserId: row.ownerUserId,
  teamId: row.teamId,
  teamName: row.teamName,
  category: row.category,
  title: row.title,
  content: row.content,
  segmentIds: row.segmentIds,
  attachments: row.attachments,
  usageCount: row.usageCount,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const viewerOf = (actor: Actor): repo.Viewer => ({
  workspaceId: actor.workspaceId,
  userId: actor.userId,
  seesAllTeams: can(actor, 'templates:manage'),
});

function decodeOffset(cursor: string | undefined): number {
  const value = decodeCursor(cursor)?.[0] ?? 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1_000_000)
    throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
  return value;
}

function checkVariables(content: string) {
  const unknown = unknownTemplateVariables(content);
  if (unknown.length > 0) {
    throw new AppError(
      'template.unknown_variables',
      `模板中有不存在的变量：${unknown.map((name) => `{{${name}}}`).join('、')}`,
      { variables: unknown },
    );
  }
}

async function checkReferences(
  executor: Executor,
  workspaceId: string,
  segmentIds: string[] | undefined,
  attachments: TemplateAttachment[] | undefined,
) {
  if (segmentIds && segmentIds.length > 0) {
    const known = await repo.existingSegmentIds(executor, workspaceId, segmentIds);
    const unknown = segmentIds.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new AppError('template.unknown_segments', `分组不存在：${unknown.join(', ')}`, { segmentIds: unknown });
  }
  if (attachments && attachments.length > 0) {
    const ids = attachments.map((attachment) => attachment.fileId);
    const known = await repo.existingFileIds(executor, workspaceId, ids);
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new AppError('template.invalid_attachments', '附件不存在或已过期，请重新上传', { fileIds: unknown });
  }
}

/** Personal templates are their owner's to change; team and workspace ones need `templates:manage`. */
function assertMayChange(actor: Actor, row: Pick<repo.TemplateRow, 'scope' | 'ownerUserId'>) {
  if (row.scope === 'personal') {
    assertCan(actor, 'templates:use');
    if (row.ownerUserId !== actor.userId) throw new AppError('template.not_found', '话术不存在');
  } else {
    assertCan(actor, 'templates:manage');
  }
}

type RenderInput = { workspaceId: string; templateId: string; conversationId: string; agentId?: string | null };

/**
 * A template filled for a conversation, for senders without a signed-in agent (keyword auto-replies, automation):
 * `{{agent.name}}` is the agent's name when `agentId` is given, else the workspace's name; phones are masked unless
 * that agent may see them. Answers `{ broken }` with the reason instead of throwing when the template or the
 * conversation no longer exists, or the template speaks of an order the customer does not have, so the rule is
 * skipped and logged, not crashed, and the customer never reads 「您的订单  已发出」.
 */
export async function renderTemplateForConversation(
  executor: Executor,
  input: RenderInput,
): Promise<{ content: string; missingVariables: string[]; attachments: TemplateAttachment[] } | { broken: string }> {
  const template = await repo.findTemplate(executor, input.workspaceId, input.templateId);
  if (!template) return { broken: '话术不存在或已删除' };
  const context = await repo.renderContext(executor, input.workspaceId, input.conversationId);
  if (!context) return { broken: '会话不存在' };
  let agentName: string | null = context.workspace_name;
  let mayRevealPhone = false;
  if (input.agentId) {
    const agent = await executor.execute<{ name: string; role: Actor['role'] }>(
      sql`select name, role from users where workspace_id = ${input.workspaceId} and id = ${input.agentId}`,
    );
    const row = agent.rows[0];
    if (row) {
      agentName = row.name;
      mayRevealPhone = can(
        { userId: input.agentId, workspaceId: input.workspaceId, role: row.role, name: row.name },
        'customers:reveal_pii',
      );
    }
  }
  const filled = fillVariables(template.content, variableValues(context, { agentName, mayRevealPhone }));
  // A missing name only shortens the greeting; a reply about an order the customer does not have would be wrong.
  const orderGaps = filled.missing.filter((name) => name.startsWith('order.'));
  if (orderGaps.length > 0) return { broken: `这位客户没有可填入的订单信息（${orderGaps.join('、')}）` };
  return { content: filled.content, missingVariables: filled.missing, attachments: template.attachments };
}

/** A template of the workspace by id (any scope), or undefined. */
export async function findTemplate(executor: Executor, workspaceId: string, id: string): Promise<Template | undefined> {
  const row = await repo.findTemplate(executor, workspaceId, id);
  return row ? toTemplate(row) : undefined;
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;

export function createTemplatesService({ db }: { db: Db }) {
  async function visibleRow(actor: Actor, id: string) {
    const row = await repo.findVisibleTemplate(db, viewerOf(actor), id);
    if (!row) throw new AppError('template.not_found', '话术不存在');
    return row;
  }

  return {
    /** Templates the actor may use, filtered; with a conversation, its customer's segment templates first. */
    async list(actor: Actor, rawQuery: TemplateListQuery) {
      assertCan(actor, 'templates:use');
      const query = templateListQuery.parse(rawQuery);
      const viewer = viewerOf(actor);
      const offset = decodeOffset(query.cursor);
      let preferred: string[] = [];
      if (query.conversationId) {
        const context = await repo.renderContext(db, actor.workspaceId, query.conversationId);
        if (!context) throw new AppError('conversation.not_found', '会话不存在');
        const referenced = await repo.referencedSegmentIds(db, viewer);
        preferred = await customerSegmentIds(db, actor.workspaceId, context.customer_id, referenced);
      }
      const q = query.q ? normalizeText(query.q) : undefined;
      const rows = await repo.listTemplates(
        db,
        viewer,
        {
          q: q || undefined,
          category: query.category || undefined,
          scope: query.scope,
          preferredSegmentIds: preferred,
        },
        offset,
        query.limit + 1,
      );
      const hasMore = rows.length > query.limit;
      const preferredSet = new Set(preferred);
      const items: TemplateListItem[] = rows.slice(0, query.limit).map((row) => ({
        ...toTemplate(row),
        searchKeys: row.searchKeys,
        forCustomerSegment: row.segmentIds.some((id) => preferredSet.has(id)),
      }));
      return { items, nextCursor: hasMore ? encodeCursor([offset + query.limit]) : null };
    },

    async categories(actor: Actor) {
      assertCan(actor, 'templates:use');
      return { items: await repo.listCategories(db, viewerOf(actor)) };
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'templates:use');
      return toTemplate(await visibleRow(actor, id));
    },

    async create(actor: Actor, rawBody: CreateTemplateBody) {
      const body = createTemplateBody.parse(rawBody);
      assertCan(actor, body.scope === 'personal' ? 'templates:use' : 'templates:manage');
      if (body.scope === 'team') {
        if (!body.teamId) throw new AppError('request.invalid', '小组话术需要选择小组');
        if (!(await repo.teamExists(db, actor.workspaceId, body.teamId)))
          throw new AppError('team.not_found', '小组不存在');
      } else if (body.teamId) {
        throw new AppError('request.invalid', '只有小组话术可以选择小组');
      }
      checkVariables(body.content);
      await checkReferences(db, actor.workspaceId, body.segmentIds, body.attachments);
      const { id } = await repo.insertTemplate(db, {
        id: newId(),
        workspaceId: actor.workspaceId,
        scope: body.scope,
        ownerUserId: body.scope === 'personal' ? actor.userId : null,
        teamId: body.scope === 'team' ? body.teamId! : null,
        category: body.category,
        title: body.title,
        content: body.content,
        segmentIds: [...new Set(body.segmentIds)],
        attachments: body.attachments,
        ...templateSearch(body.title, body.content),
        createdBy: actor.userId,
      });
      return toTemplate((await repo.findTemplate(db, actor.workspaceId, id))!);
    },

    async update(actor: Actor, id: string, body: UpdateTemplateBody) {
      assertCan(actor, 'templates:use');
      const row = await visibleRow(actor, id);
      assertMayChange(actor, row);
      if (body.teamId !== undefined) {
        if (row.scope !== 'team') throw new AppError('request.invalid', '只有小组话术可以选择小组');
        if (!(await repo.teamExists(db, actor.workspaceId, body.teamId)))
          throw new AppError('team.not_found', '小组不存在');
      }
      if (body.content !== undefined) checkVariables(body.content);
      await checkReferences(db, actor.workspaceId, body.segmentIds, body.attachments);
      const title = body.title ?? row.title;
      const content = body.content ?? row.content;
      await repo.updateTemplate(db, actor.workspaceId, id, {
        ...(body.teamId !== undefined ? { teamId: body.teamId } : {}),
        ...(body.category !== undefined ? { category: body.category } : {}),
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.content !== undefined ? { content: body.content } : {}),
        ...(body.segmentIds !== undefined ? { segmentIds: [...new Set(body.segmentIds)] } : {}),
        ...(body.attachments !== undefined ? { attachments: body.attachments } : {}),
        ...templateSearch(title, content),
      });
      return toTemplate((await repo.findTemplate(db, actor.workspaceId, id))!);
    },

    async remove(actor: Actor, id: string) {
      assertCan(actor, 'templates:use');
      const row = await visibleRow(actor, id);
      assertMayChange(actor, row);
      await repo.deleteTemplate(db, actor.workspaceId, id);
    },

    /** Fills the template for a conversation and counts one use by the actor. */
    async render(actor: Actor, id: string, conversationId: string): Promise<RenderedTemplate> {
      assertCan(actor, 'templates:use');
      const row = await visibleRow(actor, id);
      const context = await repo.renderContext(db, actor.workspaceId, conversationId);
      if (!context) throw new AppError('conversation.not_found', '会话不存在');
      const filled = fillVariables(
        row.content,
        variableValues(context, { agentName: actor.name, mayRevealPhone: can(actor, 'customers:reveal_pii') }),
      );
      await repo.countUsage(db, actor.workspaceId, id, actor.userId);
      return { content: filled.content, missingVariables: filled.missing, attachments: row.attachments };
    },

    /** Uses per template and per agent between two days (inclusive; default: the last 30 days). */
    async usage(actor: Actor, query: TemplateUsageQuery): Promise<TemplateUsageReport> {
      assertCan(actor, 'templates:manage');
      const today = await repo.workspaceToday(db, actor.workspaceId);
      const to = query.to ?? today;
      const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
      const isRealDay = (day: string) => {
        const time = Date.parse(`${day}T00:00:00Z`);
        return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === day;
      };
      if (!isRealDay(from) || !isRealDay(to)) throw new AppError('request.invalid', '日期不正确');
      if (from > to) throw new AppError('request.invalid', '开始日期不能晚于结束日期');
      const rows = await repo.usageRows(db, actor.workspaceId, from, to);
      const byTemplate = new Map<string, TemplateUsageReport['byTemplate'][number]>();
      const byAgent = new Map<string, TemplateUsageReport['byAgent'][number]>();
      for (const row of rows) {
        const t = byTemplate.get(row.template_id) ?? {
          templateId: row.template_id,
          title: row.title,
          category: row.category,
          count: 0,
        };
        t.count += row.count;
        byTemplate.set(row.template_id, t);
        const a = byAgent.get(row.user_id) ?? { userId: row.user_id, name: row.user_name, count: 0 };
        a.count += row.count;
        byAgent.set(row.user_id, a);
      }
      const descending = <T extends { count: number }>(items: T[]) => items.sort((x, y) => y.count - x.count);
      return {
        from,
        to,
        byTemplate: descending([...byTemplate.values()]),
        byAgent: descending([...byAgent.values()]),
        rows: rows.map((row) => ({ templateId: row.template_id, userId: row.user_id, count: row.count })),
      };
    },
  };
}
