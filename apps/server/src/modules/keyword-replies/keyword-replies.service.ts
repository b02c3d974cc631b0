import type {
  CreateKeywordReplyBody,
  KeywordReply,
  KeywordReplyListQuery,
  KeywordReplyTestResult,
  KeywordReplyTestRule,
  TestKeywordRepliesBody,
  UpdateKeywordReplyBody,
} from '@huike/contracts';
import { createKeywordReplyBody, keywordReplyListQuery, REGEX_MAX_LENGTH } from '@huike/contracts';
import safeRegex from 'safe-regex2';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { createBatcher } from '../../platform/batcher.ts';
import { decodeCursor, type Executor, encodeCursor, iso } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { DomainEvent, EventBus, MessageCreatedEvent } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import { type AuditService, changedFields, type FieldChange, hasChanges } from '../audit/index.ts';
import { inboxBusinessHours } from '../business-hours/index.ts';
import type { ConversationsService } from '../conversations/index.ts';
import { findTemplate, renderTemplateForConversation } from '../templates/index.ts';
import {
  compileMatcher,
  compileRegex,
  type KeywordMatcher,
  normalizeForMatch,
  normalizeForRegex,
} from './keyword-matcher.ts';
import * as repo from './keyword-replies.repository.ts';

/** How long another node may answer with rules it compiled before a change it did not see. */
const RULES_CACHE_MS = 3_000;
export const TEMPLATE_DELETED = '模板已删除';

export const toKeywordReply = (row: repo.KeywordReplyRow): KeywordReply => ({
  id: row.id,
  name: row.name,
  keywords: row.keywords,
  matchMode: row.matchMode,
  templateId: row.templateId,
  templateTitle: row.templateTitle,
  replyText: row.replyText,
  inboxIds: row.inboxIds,
  hours: row.hours,
  frequency: row.frequency,
  cooldownMinutes: row.cooldownMinutes,
  priority: row.priority,
  stopOtherRules: row.stopOtherRules,
  enabled: row.enabled,
  hitCount: Number(row.hitCount),
  lastHitAt: iso(row.lastHitAt),
  broken: row.templateMissing ? TEMPLATE_DELETED : null,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/**
 * Refuses a regex that RE2 cannot run (back-references, look-around) or that a backtracking engine could take
 * exponential time on (`(a+)+`): RE2 would run it safely, but the rule is almost certainly a mistake and other
 * tools (exports, the web app) may test it with JavaScript's engine.
 */
export function checkRegex(pattern: string): void {
  if (pattern.length > REGEX_MAX_LENGTH) {
    throw new AppError('keyword_reply.invalid_regex', `正则表达式最多 ${REGEX_MAX_LENGTH} 个字符`, { pattern });
  }
  try {
    compileRegex(pattern);
  } catch {
    throw new AppError(
      'keyword_reply.invalid_regex',
      `正则表达式“${pattern}”无效，或用了不支持的语法（反向引用、环视等）`,
      { pattern },
    );
  }
  let safe = false;
  try {
    safe = safeRegex(pattern, { limit: 25 });
  } catch {
    safe = false;
  }
  if (!safe) {
    throw new AppError(
      'keyword_reply.unsafe_regex',
      `正则表达式“${pattern}”含有嵌套的重复（如 (a+)+），可能导致灾难性回溯，请改写`,
      { pattern },
    );
  }
}

/** Reply texts run to 2,000 characters; the audit log keeps their start. */
const REPLY_EXCERPT_LENGTH = 100;
const excerpt = (text: string | null) =>
  text && text.length > REPLY_EXCERPT_LENGTH ? `${text.slice(0, REPLY_EXCERPT_LENGTH)}…` : text;

const sortedIds = (ids: string[]) => [...ids].sort();

/**
 * What an update changed, before → after, as the audit log shows it: the template by title, inboxes by name (an empty
 * list is every inbox), the reply text by its start (`{ changed: true }` when only its end changed).
 */
async function ruleChanges(executor: Executor, before: repo.KeywordReplyRow, after: repo.KeywordReplyRow) {
  const plain = (rule: repo.KeywordReplyRow) => ({
    name: rule.name,
    keywords: rule.keywords,
    matchMode: rule.matchMode,
    replyHours: rule.hours,
    frequency: rule.frequency,
    cooldownMinutes: rule.cooldownMinutes,
    priority: rule.priority,
    stopOtherRules: rule.stopOtherRules,
    enabled: rule.enabled,
  });
  const changes: Record<string, FieldChange | { changed: true }> = changedFields(plain(before), plain(after));
  if (before.templateId !== after.templateId) {
    changes.template = { before: before.templateTitle, after: after.templateTitle };
  }
  if (before.replyText !== after.replyText) {
    const [old, now] = [excerpt(before.replyText), excerpt(after.replyText)];
    changes.replyText = old === now ? { changed: true } : { before: old, after: now };
  }
  if (sortedIds(before.inboxIds).join() !== sortedIds(after.inboxIds).join()) {
    const names = await repo.inboxNames(executor, after.workspaceId, [...before.inboxIds, ...after.inboxIds]);
    const named = (ids: string[]) =>
      ids.map((inboxId) => names.get(inboxId) ?? inboxId).sort((a, b) => a.localeCompare(b, 'zh-CN'));
    changes.inboxes = { before: named(before.inboxIds), after: named(after.inboxIds) };
  }
  return changes;
}

type RuleDraft = {
  keywords: string[];
  matchMode: repo.KeywordReplyRow['matchMode'];
  templateId: string | null;
  replyText: string | null;
  inboxIds: string[];
  frequency: repo.KeywordReplyRow['frequency'];
  cooldownMinutes: number | null;
};

type CompiledRules = {
  /** Enabled rules in evaluation order; the matcher's indices point here. */
  enabled: repo.KeywordReplyRow[];
  all: repo.KeywordReplyRow[];
  matcher: KeywordMatcher;
};

type Evaluation = {
  rule: repo.KeywordReplyRow;
  matched: boolean;
  fired: boolean;
  matchedKeywords: string[];
  reason: string;
};

/** Opening hours of an inbox at a time (the business-hours module; replaceable in tests). */
export type BusinessHoursLookup = (
  executor: Executor,
  workspaceId: string,
  inboxId: string,
) => Promise<{ isOpen(at: Date): boolean }>;

export type TemplateRenderer = (
  executor: Executor,
  input: { workspaceId: string; templateId: string; conversationId: string },
) => Promise<{ content: string; attachments?: { fileId: string }[] } | { broken: string }>;

export type KeywordRepliesService = ReturnType<typeof createKeywordRepliesService>;

export function createKeywordRepliesService({
  db,
  audit,
  conversations,
  businessHours = inboxBusinessHours,
  renderTemplate = renderTemplateForConversation,
  log = () => {},
}: {
  db: Db;
  audit: AuditService;
  conversations: Pick<ConversationsService, 'sendAutomatedMessage'>;
  businessHours?: BusinessHoursLookup;
  renderTemplate?: TemplateRenderer;
  /** Skipped rules and failures, by ids only (never message text). */
  log?: (entry: Record<string, unknown>, message: string) => void;
}) {
  const cache = createTtlCache<CompiledRules>(RULES_CACHE_MS);

  const rulesFor = (workspaceId: string) =>
    cache.get(workspaceId, () =>
      repo.listRules(db, workspaceId).then((all) => {
        const enabled = all.filter((rule) => rule.enabled);
        return {
          all,
          enabled,
          matcher: compileMatcher(enabled.map((rule) => ({ mode: rule.matchMode, keywords: rule.normalizedKeywords }))),
        };
      }),
    );

  const invalidate = (workspaceId: string) => cache.delete(workspaceId);
  // Every reply of a busy rule would otherwise update the rule's row, one transaction after another.
  const countHit = createBatcher(async (hits: { workspaceId: string; ruleId: string }[]) => {
    await repo.countHits(db, hits);
    return hits.map(() => undefined);
  });

  async function loadRule(executor: Executor, workspaceId: string, id: string) {
    const row = await repo.findRule(executor, workspaceId, id);
    if (!row) throw new AppError('keyword_reply.not_found', '自动回复规则不存在');
    return row;
  }

  /** Validates a rule as it will be stored and answers its normalised keywords. */
  async function checkDraft(executor: Executor, workspaceId: string, draft: RuleDraft, previousTemplateId?: string) {
    if (draft.templateId && draft.replyText) {
      throw new AppError('keyword_reply.invalid', '回复模板和回复内容只能二选一');
    }
    if (!draft.templateId && !draft.replyText) {
      throw new AppError('keyword_reply.invalid', '请选择回复模板或填写回复内容');
    }
    if (draft.templateId && draft.templateId !== previousTemplateId) {
      if (!(await findTemplate(executor, workspaceId, draft.templateId))) {
        throw new AppError('keyword_reply.invalid', '所选的回复模板不存在', { templateId: draft.templateId });
      }
    }
    if (draft.frequency === 'cooldown' && !draft.cooldownMinutes) {
      throw new AppError('keyword_reply.invalid', '“冷却时间”频率需要填写冷却分钟数');
    }
    if (draft.inboxIds.length > 0) {
      const known = await repo.existingInboxIds(executor, workspaceId, draft.inboxIds);
      const unknown = draft.inboxIds.filter((inboxId) => !known.has(inboxId));
      if (unknown.length > 0) {
        throw new AppError('keyword_reply.invalid', `渠道不存在：${unknown.join(', ')}`, { inboxIds: unknown });
      }
    }
    const keywords = [...new Set(draft.keywords.map((keyword) => keyword.trim()).filter(Boolean))];
    if (draft.matchMode === 'regex') {
      for (const pattern of keywords) checkRegex(pattern);
      return { keywords, normalizedKeywords: keywords };
    }
    const normalizedKeywords = keywords.map(normalizeForMatch);
    const empty = keywords.filter((_, i) => normalizedKeywords[i]!.length === 0);
    if (empty.length > 0) {
      throw new AppError('keyword_reply.invalid', `关键词去掉空格后为空：${empty.join('、')}`);
    }
    return { keywords, normalizedKeywords };
  }

  function describeMatch(rule: repo.KeywordReplyRow, normalized: string, regexText: string): string[] {
    if (rule.matchMode === 'regex') {
      return rule.keywords.filter((pattern) => {
        try {
          return compileRegex(pattern).test(regexText);
        } catch {
          return false;
        }
      });
    }
    return rule.keywords.filter((_, i) => {
      const keyword = rule.normalizedKeywords[i] ?? '';
      return rule.matchMode === 'exact' ? normalized === keyword : normalized.includes(keyword);
    });
  }

  const quoted = (words: string[]) => words.map((word) => `“${word}”`).join('');

  function firedReason(rule: repo.KeywordReplyRow, matchedKeywords: string[]): string {
    switch (rule.matchMode) {
      case 'exact':
        return `完全匹配关键词${quoted(matchedKeywords)}`;
      case 'all_of':
        return `命中全部关键词${quoted(matchedKeywords)}`;
      case 'regex':
        return `匹配正则${quoted(matchedKeywords)}`;
      default:
        return `命中关键词${quoted(matchedKeywords)}`;
    }
  }

  /**
   * Walks the rules in priority order and says for each whether it fires and why. With `onlyMatched`, rules the
   * message did not match are left out (the live path: usually nothing matches and nothing is read).
   */
  async function evaluate(
    workspaceId: string,
    compiled: CompiledRules,
    content: string,
    context: {
      inboxId?: string;
      at: Date;
      conversationId?: string;
      messageId?: string;
      onlyMatched: boolean;
      replayed?: boolean;
    },
  ): Promise<{ normalized: string; evaluations: Evaluation[] }> {
    const normalized = normalizeForMatch(content);
    const regexText = normalizeForRegex(content);
    const matchedIndices = compiled.matcher.match(normalized, compiled.matcher.hasRegexRules ? regexText : undefined);
    if (context.onlyMatched && matchedIndices.length === 0) return { normalized, evaluations: [] };
    const matchedIds = new Set(matchedIndices.map((index) => compiled.enabled[index]!.id));
    const candidates = context.onlyMatched ? compiled.enabled.filter((rule) => matchedIds.has(rule.id)) : compiled.all;

    let openNow: boolean | undefined;
    const isOpen = async () => {
      if (openNow === undefined) {
        openNow = context.inboxId ? (await businessHours(db, workspaceId, context.inboxId)).isOpen(context.at) : true;
      }
      return openNow;
    };
    // The hit log matters for once/cooldown rules, and on a replay (which rules already answered this message);
    // a live message matching only every-time rules needs no read (the idempotency key guards the send).
    const historyRules = candidates.filter(
      (rule) => matchedIds.has(rule.id) && (context.replayed || rule.frequency !== 'every_time'),
    );
    const history =
      context.conversationId && historyRules.length > 0
        ? await repo.ruleHistory(
            db,
            workspaceId,
            context.conversationId,
            historyRules.map((rule) => rule.id),
            context.messageId ?? null,
          )
        : new Map<string, repo.RuleHistory>();

    const evaluations: Evaluation[] = [];
    let stoppedBy: string | null = null;
    for (const rule of candidates) {
      const matched = matchedIds.has(rule.id);
      const matchedKeywords = matched ? describeMatch(rule, normalized, regexText) : [];
      const skip = (reason: string) => evaluations.push({ rule, matched, fired: false, matchedKeywords, reason });
      if (!rule.enabled) {
        skip('规则已停用');
        continue;
      }
      if (stoppedBy !== null) {
        skip(`已被更高优先级规则“${stoppedBy}”终止`);
        continue;
      }
      if (!matched) {
        skip(rule.matchMode === 'exact' ? '消息与关键词不完全一致' : '未命中关键词');
        continue;
      }
      if (rule.templateMissing) {
        skip(`${TEMPLATE_DELETED}，规则已跳过`);
        continue;
      }
      if (rule.inboxIds.length > 0 && context.inboxId && !rule.inboxIds.includes(context.inboxId)) {
        skip('规则不适用于此渠道');
        continue;
      }
      if (rule.hours === 'business' && !(await isOpen())) {
        skip('工作时间规则，当前为非工作时间');
        continue;
      }
      if (rule.hours === 'off_hours' && (await isOpen())) {
        skip('非工作时间规则，当前为工作时间');
        continue;
      }
      const past = history.get(rule.id);
      if (past?.thisMessage) {
        // A replay: this rule already answered this very message; sending again is idempotent (nothing twice).
        evaluations.push({ rule, matched, fired: true, matchedKeywords, reason: '已对这条消息回复过' });
        if (rule.stopOtherRules) stoppedBy = rule.name;
        continue;
      }
      if (past && rule.frequency === 'once_per_conversation') {
        skip('本会话已回复过（每会话一次）');
        continue;
      }
      if (
        past &&
        rule.frequency === 'cooldown' &&
        context.at.getTime() - past.lastAt.getTime() < (rule.cooldownMinutes ?? 0) * 60_000
      ) {
        skip(`冷却中：${rule.cooldownMinutes} 分钟内已回复过`);
        continue;
      }
      evaluations.push({ rule, matched, fired: true, matchedKeywords, reason: firedReason(rule, matchedKeywords) });
      if (rule.stopOtherRules) stoppedBy = rule.name;
    }
    return { normalized, evaluations };
  }

  /** The reply a rule sends into a conversation, or why it cannot. */
  async function replyFor(
    workspaceId: string,
    rule: repo.KeywordReplyRow,
    conversationId: string,
  ): Promise<{ content: string; attachments?: { fileId: string }[] } | { broken: string }> {
    if (!rule.templateId) return { content: rule.replyText ?? '' };
    const rendered = await renderTemplate(db, { workspaceId, templateId: rule.templateId, conversationId });
    if ('broken' in rendered) return { broken: rendered.broken };
    return { content: rendered.content, attachments: rendered.attachments };
  }

  /** The rules' verdict on a customer's message; `asReplay`: a rule that already answered it counts as firing. */
  async function evaluateMessage(event: MessageCreatedEvent, asReplay: boolean) {
    const { message, conversation } = event;
    if (message.direction !== 'inbound' || message.senderKind !== 'customer' || message.private) return [];
    const compiled = await rulesFor(event.workspaceId);
    if (compiled.enabled.length === 0) return [];
    const { evaluations } = await evaluate(event.workspaceId, compiled, message.content, {
      inboxId: conversation.inboxId,
      at: new Date(message.createdAt),
      conversationId: conversation.id,
      messageId: message.id,
      onlyMatched: true,
      replayed: asReplay,
    });
    return evaluations;
  }

  /**
   * The auto-reply subscriber: a customer's inbound message is matched against the workspace's rules, and every
   * firing rule replies through the automation outbound path (idempotent per rule and message), then the hit is
   * recorded and counted once. Messages that automation sent never trigger replies.
   */
  async function handleEvent(event: DomainEvent) {
    if (event.type !== 'message.created' || event.automation) return;
    const { message, conversation } = event;
    const evaluations = await evaluateMessage(event, event.replayed === true);
    for (const evaluation of evaluations) {
      const { rule } = evaluation;
      if (!evaluation.fired) {
        if (rule.templateMissing) {
          log({ workspaceId: event.workspaceId, ruleId: rule.id, reason: TEMPLATE_DELETED }, 'keyword reply skipped');
        }
        continue;
      }
      const claim = await repo.claimHit(db, {
        workspaceId: event.workspaceId,
        ruleId: rule.id,
        conversationId: conversation.id,
        messageId: message.id,
        frequency: rule.frequency,
        cooldownMinutes: rule.cooldownMinutes,
        at: new Date(message.createdAt),
      });
      if (claim === 'blocked') continue;
      const reply = await replyFor(event.workspaceId, rule, conversation.id);
      if ('broken' in reply) {
        // Nothing was sent (an order template for a buyer without orders): not a hit; the bot answers instead.
        log({ workspaceId: event.workspaceId, ruleId: rule.id, reason: reply.broken }, 'keyword reply skipped');
        if (claim === 'claimed')
          await repo.releaseHit(db, { workspaceId: event.workspaceId, ruleId: rule.id, messageId: message.id });
        continue;
      }
      try {
        await conversations.sendAutomatedMessage({
          workspaceId: event.workspaceId,
          conversationId: conversation.id,
          content: reply.content,
          attachments: reply.attachments,
          senderKind: 'bot',
          idempotencyKey: `kw:${rule.id}:${message.id}`,
          source: { kind: 'keyword_reply', id: rule.id },
        });
      } finally {
        // Counted after the reply left (or failed), so the reply does not wait for the counter.
        if (claim === 'claimed') await countHit({ workspaceId: event.workspaceId, ruleId: rule.id });
      }
    }
  }

  return {
    /** Subscribes the auto-replies to the event bus; answers the unsubscribe function. */
    subscribe(events: EventBus) {
      return events.subscribe(
        (event) =>
          handleEvent(event).catch((error) => {
            log({ err: error, workspaceId: event.workspaceId }, 'keyword reply failed');
          }),
        { answersCustomers: true },
      );
    },

    handleEvent,

    /**
     * Whether a rule answers this customer message (whichever of the two subscribers runs first), so the FAQ bot
     * leaves it to the rule: an admin's explicit rule beats the bot's best guess, and the buyer gets one answer.
     */
    async answers(event: MessageCreatedEvent) {
      if (event.automation) return false;
      for (const { rule, fired } of await evaluateMessage(event, true)) {
        // A rule whose template cannot be filled here (an order template, no order) sends nothing: not an answer.
        if (fired && !('broken' in (await replyFor(event.workspaceId, rule, event.conversation.id)))) return true;
      }
      return false;
    },

    async list(actor: Actor, rawQuery: KeywordReplyListQuery) {
      assertCan(actor, 'automation:read');
      const query = keywordReplyListQuery.parse(rawQuery);
      const offset = Number(decodeCursor(query.cursor)?.[0] ?? 0);
      if (!Number.isInteger(offset) || offset < 0) throw new AppError('request.invalid', '分页游标无效');
      let rows = await repo.listRules(db, actor.workspaceId);
      if (query.q) {
        const q = normalizeForMatch(query.q);
        rows = rows.filter(
          (row) =>
            normalizeForMatch(row.name).includes(q) ||
            row.normalizedKeywords.some((keyword) => keyword.includes(q)) ||
            (row.matchMode === 'regex' && row.keywords.some((pattern) => pattern.includes(query.q!))),
        );
      }
      const items = rows.slice(offset, offset + query.limit).map(toKeywordReply);
      return {
        items,
        nextCursor: offset + query.limit < rows.length ? encodeCursor([offset + query.limit]) : null,
      };
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'automation:read');
      return toKeywordReply(await loadRule(db, actor.workspaceId, id));
    },

    async create(actor: Actor, rawBody: CreateKeywordReplyBody) {
      assertCan(actor, 'automation:manage');
      const body = createKeywordReplyBody.parse(rawBody);
      const id = newId();
      await db.transaction(async (tx) => {
        const draft: RuleDraft = {
          keywords: body.keywords,
          matchMode: body.matchMode,
          templateId: body.templateId ?? null,
          replyText: body.replyText ?? null,
          inboxIds: [...new Set(body.inboxIds)],
          frequency: body.frequency,
          cooldownMinutes: body.frequency === 'cooldown' ? (body.cooldownMinutes ?? null) : null,
        };
        const { keywords, normalizedKeywords } = await checkDraft(tx, actor.workspaceId, draft);
        await repo.insertRule(tx, {
          id,
          workspaceId: actor.workspaceId,
          name: body.name,
          keywords,
          normalizedKeywords,
          matchMode: draft.matchMode,
          templateId: draft.templateId,
          replyText: draft.replyText,
          inboxIds: draft.inboxIds,
          hours: body.hours,
          frequency: draft.frequency,
          cooldownMinutes: draft.cooldownMinutes,
          priority: body.priority ?? (await repo.nextPriority(tx, actor.workspaceId)),
          stopOtherRules: body.stopOtherRules,
          enabled: body.enabled,
          createdBy: actor.userId,
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'keyword_replies.created',
          targetType: 'keyword_reply',
          targetId: id,
          details: { name: body.name, matchMode: body.matchMode },
        });
      });
      invalidate(actor.workspaceId);
      return toKeywordReply(await loadRule(db, actor.workspaceId, id));
    },

    async update(actor: Actor, id: string, patch: UpdateKeywordReplyBody) {
      assertCan(actor, 'automation:manage');
      await db.transaction(async (tx) => {
        const current = await loadRule(tx, actor.workspaceId, id);
        // Choosing one kind of reply clears the other unless the body says otherwise.
        const templateId =
          patch.templateId !== undefined ? patch.templateId : patch.replyText ? null : current.templateId;
        const replyText = patch.replyText !== undefined ? patch.replyText : patch.templateId ? null : current.replyText;
        const frequency = patch.frequency ?? current.frequency;
        const draft: RuleDraft = {
          keywords: patch.keywords ?? current.keywords,
          matchMode: patch.matchMode ?? current.matchMode,
          templateId,
          replyText,
          inboxIds: [...new Set(patch.inboxIds ?? current.inboxIds)],
          frequency,
          cooldownMinutes:
            frequency === 'cooldown'
              ? patch.cooldownMinutes !== undefined
                ? patch.cooldownMinutes
                : current.cooldownMinutes
              : null,
        };
        const { keywords, normalizedKeywords } = await checkDraft(
          tx,
          actor.workspaceId,
          draft,
          current.templateId ?? undefined,
        );
        await repo.updateRule(tx, actor.workspaceId, id, {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          keywords,
          normalizedKeywords,
          matchMode: draft.matchMode,
          templateId: draft.templateId,
          replyText: draft.replyText,
          inboxIds: draft.inboxIds,
          frequency: draft.frequency,
          cooldownMinutes: draft.cooldownMinutes,
          ...(patch.hours !== undefined ? { hours: patch.hours } : {}),
          ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
          ...(patch.stopOtherRules !== undefined ? { stopOtherRules: patch.stopOtherRules } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        });
        const updated = await loadRule(tx, actor.workspaceId, id);
        const changes = await ruleChanges(tx, current, updated);
        if (hasChanges(changes)) {
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: 'keyword_replies.updated',
            targetType: 'keyword_reply',
            targetId: id,
            details: { name: updated.name, changes },
          });
        }
      });
      invalidate(actor.workspaceId);
      return toKeywordReply(await loadRule(db, actor.workspaceId, id));
    },

    async remove(actor: Actor, id: string) {
      assertCan(actor, 'automation:manage');
      await db.transaction(async (tx) => {
        const deleted = await repo.deleteRule(tx, actor.workspaceId, id);
        if (!deleted) throw new AppError('keyword_reply.not_found', '自动回复规则不存在');
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'keyword_replies.deleted',
          targetType: 'keyword_reply',
          targetId: id,
          details: { name: deleted.name },
        });
      });
      invalidate(actor.workspaceId);
    },

    /** Puts rules in the given order (priorities 10, 20, …); rules not listed keep theirs. */
    async reorder(actor: Actor, ids: string[]) {
      assertCan(actor, 'automation:manage');
      const unique = [...new Set(ids)];
      await db.transaction(async (tx) => {
        const known = await repo.existingRuleIds(tx, actor.workspaceId, unique);
        const unknown = unique.filter((ruleId) => !known.has(ruleId));
        if (unknown.length > 0) {
          throw new AppError('keyword_reply.not_found', '自动回复规则不存在', { ids: unknown });
        }
        await repo.setPriorities(tx, actor.workspaceId, unique);
      });
      invalidate(actor.workspaceId);
      return { items: (await repo.listRules(db, actor.workspaceId)).map(toKeywordReply), nextCursor: null };
    },

    /** Which rules a message would fire, in order, with the reason for each and the reply that would be sent. */
    async test(actor: Actor, body: TestKeywordRepliesBody): Promise<KeywordReplyTestResult> {
      assertCan(actor, 'automation:read');
      if (body.inboxId && (await repo.existingInboxIds(db, actor.workspaceId, [body.inboxId])).size === 0) {
        throw new AppError('inbox.not_found', '渠道不存在');
      }
      let inboxId = body.inboxId;
      if (body.conversationId) {
        const found = await repo.findConversationInbox(db, actor.workspaceId, body.conversationId);
        if (!found) throw new AppError('conversation.not_found', '会话不存在');
        inboxId ??= found;
      }
      invalidate(actor.workspaceId);
      const compiled = await rulesFor(actor.workspaceId);
      const { normalized, evaluations } = await evaluate(actor.workspaceId, compiled, body.content, {
        inboxId,
        at: body.at ? new Date(body.at) : new Date(),
        conversationId: body.conversationId,
        onlyMatched: false,
      });
      const rules: KeywordReplyTestRule[] = [];
      for (const evaluation of evaluations) {
        const { rule } = evaluation;
        let reply: string | null = null;
        if (evaluation.fired) {
          if (rule.templateId && !body.conversationId) {
            reply = (await findTemplate(db, actor.workspaceId, rule.templateId))?.content ?? null;
          } else if (body.conversationId) {
            const rendered = await replyFor(actor.workspaceId, rule, body.conversationId);
            reply = 'content' in rendered ? rendered.content : null;
          } else {
            reply = rule.replyText;
          }
        }
        rules.push({
          ruleId: rule.id,
          name: rule.name,
          priority: rule.priority,
          matchMode: rule.matchMode,
          matched: evaluation.matched,
          fired: evaluation.fired,
          matchedKeywords: evaluation.matchedKeywords,
          reason: evaluation.reason,
          reply,
        });
      }
      return { normalizedContent: normalized, rules };
    },

    /** Forget this process's compiled rules of a workspace (e.g. after a seed wrote rules directly). */
    invalidate,
  };
}
