import type {
  AgentStatus,
  CreateRoutingRuleBody,
  LiveQueue,
  RoutingConditions,
  RoutingLogEntry,
  RoutingRule,
  UpdateAgentProfileBody,
} from '@huike/contracts';
import { createRoutingRuleBody, type updateRoutingRuleBody } from '@huike/contracts';
import type { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import { type Executor, iso } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { DomainEvent, EventBus } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';
import { hasHan, normalizeText } from '../../platform/text/index.ts';
import { type AuditService, changedFields, hasChanges } from '../audit/index.ts';
import type { ConversationsService } from '../conversations/index.ts';
import { pickAssignee } from './assignment.ts';
import * as repo from './routing.repository.ts';

/** Waiting longer than this turns the live queue's timer amber, then red. */
export const WAIT_AMBER_SECONDS = 180;
export const WAIT_RED_SECONDS = 600;
/** An agent whose last socket closed is shown offline after this long (a reload or a short drop is no change). */
export const OFFLINE_GRACE_MS = 60_000;

const toAgent = (row: repo.AgentRow): AgentStatus => ({
  userId: row.user_id,
  name: row.name,
  role: row.role,
  disabled: row.disabled,
  presence: row.presence,
  load: row.load,
  capacity: row.capacity,
  level: row.level,
  skills: row.skills,
  languages: row.languages,
  teamIds: row.team_ids,
});

const toRule = (row: repo.RuleRow): RoutingRule => ({
  id: row.id,
  name: row.name,
  position: row.position,
  enabled: row.enabled,
  conditions: row.conditions as RoutingConditions,
  teamId: row.team_id,
  teamName: row.team_name,
  teamRemoved: row.team_id !== null && row.team_name === null,
  requiredSkill: row.required_skill,
  createdAt: iso(row.created_at)!,
});

const toLogEntry = (row: repo.LogRow): RoutingLogEntry => ({
  id: row.id,
  conversationId: row.conversation_id,
  customerId: row.customer_id,
  customerName: row.customer_name,
  channelType: row.channel_type,
  ruleId: row.rule_id,
  ruleName: row.rule_name,
  outcome: row.outcome,
  assigneeId: row.assignee_id,
  assigneeName: row.assignee_name,
  teamId: row.team_id,
  teamName: row.team_name,
  reason: row.reason,
  createdAt: iso(row.created_at)!,
});

/** Empty lists are dropped, so `{ keywords: [] }` is the same rule as `{}`. Keywords are kept normalised. */
function cleanConditions(conditions: RoutingConditions): Record<string, string[]> {
  const clean: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(conditions)) {
    if (!values || values.length === 0) continue;
    const list = key === 'keywords' ? values.map((value) => normalizeText(value)) : values;
    clean[key] = [...new Set(list)];
  }
  return clean;
}

type Facts = {
  tier: string | null;
  tagIds: string[];
  language: string;
  inboxId: string;
  channel: string;
  text: string;
};

/** A rule matches when every condition it sets matches (any listed value within one condition). */
export function ruleMatches(conditions: Record<string, string[]>, facts: Facts): boolean {
  const { tiers, tagIds, languages, inboxIds, channels, keywords } = conditions;
  if (tiers && !(facts.tier && tiers.includes(facts.tier))) return false;
  if (tagIds && !tagIds.some((tagId) => facts.tagIds.includes(tagId))) return false;
  if (languages && !languages.includes(facts.language)) return false;
  if (inboxIds && !inboxIds.includes(facts.inboxId)) return false;
  if (channels && !channels.includes(facts.channel)) return false;
  if (keywords && !keywords.some((keyword) => facts.text.includes(normalizeText(keyword)))) return false;
  return true;
}

export type RoutingService = ReturnType<typeof createRoutingService>;

export function createRoutingService({
  db,
  events,
  realtime,
  audit,
  conversations,
  isBotHandling,
  offlineGraceMs = OFFLINE_GRACE_MS,
  log,
}: {
  db: Db;
  events: EventBus;
  realtime: Pick<Realtime, 'broadcast'>;
  audit: Pick<AuditService, 'record'>;
  conversations: Pick<ConversationsService, 'applyAutomatedChange'>;
  /** The knowledge module's bot check: while the bot answers, routing waits for `bot.handed_off`. */
  isBotHandling?: (executor: Executor, workspaceId: string, conversationId: string) => Promise<boolean>;
  offlineGraceMs?: number;
  log: (error: unknown, context: Record<string, unknown>) => void;
}) {
  /**
   * Open agent sockets per user in this process, and the pending "gone offline" checks. Sockets may live on any
   * app process, so this process never decides alone that someone left: while it holds a socket it touches the
   * agent's profile (the heartbeat), and an agent goes offline only when no process has touched them for the
   * grace period (`repo.markDisconnected`).
   */
  const sockets = new Map<string, { workspaceId: string; count: number }>();
  const offlineTimers = new Map<string, NodeJS.Timeout>();
  const heartbeatMs = Math.max(10, Math.min(Math.floor(offlineGraceMs / 3), 20_000));
  let heartbeat: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;

  function beat() {
    const users = [...sockets.entries()].map(([userId, { workspaceId }]) => ({ workspaceId, userId }));
    repo.touchConnected(db, users).catch((error) => log(error, { task: 'presence heartbeat' }));
  }

  /** Marks offline whoever no process has seen for the grace period (one agent, or everyone). */
  async function sweepDisconnected(only?: { workspaceId: string; userId: string }) {
    const gone = await repo.markDisconnected(db, offlineGraceMs, only);
    for (const row of gone) publishPresence(row.workspace_id, row.user_id, 'offline');
    return gone.length;
  }

  async function loadAgent(workspaceId: string, userId: string) {
    const [row] = await repo.listAgents(db, workspaceId, userId);
    if (!row) throw new AppError('user.not_found', '客服不存在');
    return toAgent(row);
  }

  function publishPresence(workspaceId: string, userId: string, presence: AgentStatus['presence']) {
    events.publish({ type: 'user.presence_changed', workspaceId, performedBy: userId, userId, presence });
  }

  async function loadRule(workspaceId: string, id: string) {
    const [row] = await repo.listRules(db, workspaceId, id);
    if (!row) throw new AppError('routing_rule.not_found', '路由规则不存在');
    return row;
  }

  async function checkReferences(
    executor: Executor,
    workspaceId: string,
    input: { teamId?: string | null; conditions?: RoutingConditions },
  ) {
    if (input.teamId && !(await repo.teamExists(executor, workspaceId, input.teamId))) {
      throw new AppError('team.not_found', '团队不存在');
    }
    const tagIds = input.conditions?.tagIds ?? [];
    const tags = await repo.existingIds(executor, workspaceId, 'tags', tagIds);
    if (tagIds.some((tagId) => !tags.has(tagId))) throw new AppError('routing_rule.invalid', '条件中有不存在的标签');
    const inboxIds = input.conditions?.inboxIds ?? [];
    const inboxes = await repo.existingIds(executor, workspaceId, 'inboxes', inboxIds);
    if (inboxIds.some((inboxId) => !inboxes.has(inboxId))) {
      throw new AppError('routing_rule.invalid', '条件中有不存在的收件箱');
    }
  }

  async function applyAssignment(
    workspaceId: string,
    conversationId: string,
    change: { assigneeId?: string | null; teamId?: string | null },
    sourceId: string,
  ) {
    await conversations.applyAutomatedChange(workspaceId, conversationId, change, { kind: 'routing', id: sourceId });
  }

  /**
   * Routes one new (or handed-off) conversation: first matching rule → team and skill; then an agent from
   * pickAssignee, or the team queue when nobody qualifies. Runs once per conversation (a replayed event or a
   * second trigger finds the log entry or the assignee and does nothing).
   */
  async function routeConversation(workspaceId: string, conversationId: string, trigger: 'created' | 'handed_off') {
    const facts = await repo.findRoutingFacts(db, workspaceId, conversationId);
    if (!facts || facts.assignee_id || facts.status === 'resolved' || facts.status === 'snoozed') return;
    if (trigger === 'created') {
      if (await repo.hasLogEntry(db, workspaceId, conversationId)) return;
      if (isBotHandling && (await isBotHandling(db, workspaceId, conversationId))) return;
    }
    const text = normalizeText(facts.first_message ?? '');
    const language = !text || hasHan(text) ? 'zh-CN' : 'en';
    const rules = (await repo.listRules(db, workspaceId)).filter((rule) => rule.enabled);
    const rule = rules.find((candidate) =>
      ruleMatches(candidate.conditions, {
        tier: facts.rfm_tier,
        tagIds: facts.tag_ids,
        language,
        inboxId: facts.inbox_id,
        channel: facts.channel_type,
        text,
      }),
    );
    const ruleId = rule?.id ?? null;
    const entry = { workspaceId, conversationId, ruleId };
    if (rule?.team_id && rule.team_name === null) {
      // The rule's team was removed: the conversation waits in the general queue, and the log says why.
      await db.transaction(async (tx) => {
        await repo.enqueue(tx, { workspaceId, conversationId, teamId: null, requiredSkill: rule.required_skill });
        await repo.insertLog(tx, {
          ...entry,
          id: newId(),
          outcome: 'queued',
          assigneeId: null,
          teamId: null,
          reason: 'team_removed',
        });
      });
      return;
    }
    const teamId = rule?.team_id ?? null;
    const requiredSkill = rule?.required_skill ?? null;
    const assigneeId = await pickAssignee(db, {
      workspaceId,
      inboxId: facts.inbox_id,
      teamId,
      customerId: facts.customer_id,
      requireSkill: requiredSkill,
    });
    if (assigneeId) {
      await repo.insertLog(db, {
        ...entry,
        id: newId(),
        outcome: 'assigned',
        assigneeId,
        teamId,
        reason: rule ? 'matched_rule' : 'no_rule',
      });
      await applyAssignment(
        workspaceId,
        conversationId,
        { assigneeId, ...(teamId ? { teamId } : {}) },
        ruleId ?? conversationId,
      );
      return;
    }
    await db.transaction(async (tx) => {
      await repo.enqueue(tx, { workspaceId, conversationId, teamId, requiredSkill });
      await repo.insertLog(tx, {
        ...entry,
        id: newId(),
        outcome: 'queued',
        assigneeId: null,
        teamId,
        reason: 'no_agent_available',
      });
    });
    if (teamId && facts.team_id !== teamId) await applyAssignment(workspaceId, conversationId, { teamId }, ruleId!);
  }

  /**
   * An agent has room (a conversation resolved, capacity raised, back online): they get the longest-waiting
   * queued conversations they qualify for, one at a time, until they are full or nothing fits.
   */
  async function fillFreeSlots(workspaceId: string, userId: string) {
    for (let round = 0; round < 100; round += 1) {
      const claimed = await db.transaction(async (tx) => {
        // Another agent's fill may hold the entry this agent could take, and give it back when its agent turns out
        // to be full: when nothing else is free, wait for those entries instead of leaving the slot empty.
        const queued =
          (await repo.claimQueued(tx, workspaceId, userId, 'skip')) ??
          (await repo.claimQueued(tx, workspaceId, userId, 'wait'));
        if (!queued) return null;
        const picked = await pickAssignee(tx, {
          workspaceId,
          inboxId: queued.inbox_id,
          teamId: null,
          requireSkill: queued.required_skill,
          onlyUserId: userId,
        });
        if (!picked) return null;
        await repo.dequeue(tx, workspaceId, queued.conversation_id);
        await repo.insertLog(tx, {
          id: newId(),
          workspaceId,
          conversationId: queued.conversation_id,
          ruleId: null,
          outcome: 'picked_up',
          assigneeId: userId,
          teamId: queued.team_id,
          reason: 'slot_freed',
        });
        return queued;
      });
      if (!claimed) return;
      await applyAssignment(workspaceId, claimed.conversation_id, { assigneeId: userId }, claimed.conversation_id);
    }
  }

  async function onEvent(event: DomainEvent) {
    switch (event.type) {
      case 'conversation.created':
        return routeConversation(event.workspaceId, event.conversation.id, 'created');
      case 'bot.handed_off':
        return routeConversation(event.workspaceId, event.conversation.id, 'handed_off');
      case 'conversation.updated':
        if (event.conversation.assigneeId) await repo.dequeue(db, event.workspaceId, event.conversation.id);
        return;
      case 'conversation.resolved':
        await repo.dequeue(db, event.workspaceId, event.conversation.id);
        if (event.conversation.assigneeId) await fillFreeSlots(event.workspaceId, event.conversation.assigneeId);
        return;
      case 'user.presence_changed': {
        if (event.replayed) return;
        const frame = { type: 'presence.changed', userId: event.userId, presence: event.presence };
        const watchers = new Set([...(await repo.listMonitorIds(db, event.workspaceId)), event.userId]);
        await Promise.all(
          [...watchers].map((id) => realtime.broadcast(event.workspaceId, { topic: topics.user(id), frame })),
        );
        if (event.presence === 'online') await fillFreeSlots(event.workspaceId, event.userId);
        return;
      }
      default:
        return;
    }
  }

  return {
    /**
     * Wires routing to the event bus (new conversations, hand-offs, resolutions and presence changes), and starts
     * the presence sweep: agents whose sockets are all gone (closed, or their process died) show offline.
     */
    subscribe() {
      if (!sweep) {
        sweep = setInterval(() => {
          sweepDisconnected().catch((error) => log(error, { task: 'presence sweep' }));
        }, heartbeatMs);
        sweep.unref();
      }
      return events.subscribe((event) =>
        onEvent(event).catch((error) => log(error, { event: event.type, workspaceId: event.workspaceId })),
      );
    },

    routeConversation,
    fillFreeSlots,

    async getMyStatus(actor: Actor) {
      assertCan(actor, 'conversations:read');
      return loadAgent(actor.workspaceId, actor.userId);
    },

    /** The agent's own switch (在线 / 忙碌 / 离开). */
    async setPresence(actor: Actor, presence: 'online' | 'busy' | 'away') {
      assertCan(actor, 'conversations:reply');
      const previous = await repo.setPresence(db, actor.workspaceId, actor.userId, presence);
      if (previous !== presence) publishPresence(actor.workspaceId, actor.userId, presence);
      return loadAgent(actor.workspaceId, actor.userId);
    },

    /** An agent socket opened (agent-socket.ts): cancels a pending offline, restores presence after a drop. */
    async socketOpened(actor: Actor) {
      if (!can(actor, 'conversations:reply')) return;
      const held = sockets.get(actor.userId);
      sockets.set(actor.userId, { workspaceId: actor.workspaceId, count: (held?.count ?? 0) + 1 });
      if (!heartbeat) {
        heartbeat = setInterval(beat, heartbeatMs);
        heartbeat.unref();
      }
      const timer = offlineTimers.get(actor.userId);
      if (timer) {
        clearTimeout(timer);
        offlineTimers.delete(actor.userId);
      }
      const restored = await repo.markConnected(db, actor.workspaceId, actor.userId);
      if (restored) publishPresence(actor.workspaceId, actor.userId, restored as AgentStatus['presence']);
    },

    /**
     * An agent socket closed. When it was this process's last one for them, they show offline after the grace
     * period, unless a socket on any process (this one again, or another) kept them seen meanwhile.
     */
    socketClosed(actor: Actor) {
      if (!can(actor, 'conversations:reply')) return;
      const held = sockets.get(actor.userId);
      const left = (held?.count ?? 1) - 1;
      if (held && left > 0) {
        sockets.set(actor.userId, { ...held, count: left });
        return;
      }
      sockets.delete(actor.userId);
      if (sockets.size === 0 && heartbeat) {
        clearInterval(heartbeat);
        heartbeat = undefined;
      }
      clearTimeout(offlineTimers.get(actor.userId));
      const timer = setTimeout(
        () => {
          offlineTimers.delete(actor.userId);
          if (sockets.has(actor.userId)) return;
          sweepDisconnected({ workspaceId: actor.workspaceId, userId: actor.userId }).catch((error) =>
            log(error, { userId: actor.userId }),
          );
        },
        // A little after the grace period, so the last heartbeat is surely older than it.
        offlineGraceMs + Math.min(heartbeatMs, 1000),
      );
      timer.unref();
      offlineTimers.set(actor.userId, timer);
    },

    /** Everyone no process has seen for the grace period goes offline (also run every few seconds once subscribed). */
    sweepDisconnected: () => sweepDisconnected(),

    stop() {
      for (const timer of offlineTimers.values()) clearTimeout(timer);
      offlineTimers.clear();
      clearInterval(heartbeat);
      heartbeat = undefined;
      clearInterval(sweep);
      sweep = undefined;
    },

    async listAgents(actor: Actor) {
      if (!can(actor, 'routing:manage')) assertCan(actor, 'queue:monitor');
      return (await repo.listAgents(db, actor.workspaceId)).map(toAgent);
    },

    async updateAgent(actor: Actor, userId: string, body: UpdateAgentProfileBody) {
      assertCan(actor, 'routing:manage');
      const before = await loadAgent(actor.workspaceId, userId);
      const patch = { ...body, ...(body.skills ? { skills: [...new Set(body.skills)] } : {}) };
      const changes = changedFields(before, patch);
      await db.transaction(async (tx) => {
        await repo.updateProfile(tx, actor.workspaceId, userId, patch);
        if (!hasChanges(changes)) return;
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'routing.agent_updated',
          targetType: 'user',
          targetId: userId,
          details: { name: before.name, changes },
        });
      });
      if (body.capacity !== undefined && body.capacity > before.capacity)
        await fillFreeSlots(actor.workspaceId, userId);
      return loadAgent(actor.workspaceId, userId);
    },

    async listRules(actor: Actor) {
      assertCan(actor, 'routing:manage');
      return (await repo.listRules(db, actor.workspaceId)).map(toRule);
    },

    async createRule(actor: Actor, input: CreateRoutingRuleBody) {
      assertCan(actor, 'routing:manage');
      const body = createRoutingRuleBody.parse(input);
      const id = newId();
      await db.transaction(async (tx) => {
        await checkReferences(tx, actor.workspaceId, body);
        await repo.insertRule(tx, {
          id,
          workspaceId: actor.workspaceId,
          name: body.name,
          enabled: body.enabled,
          conditions: cleanConditions(body.conditions),
          teamId: body.teamId,
          requiredSkill: body.requiredSkill,
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'routing.rule_created',
          targetType: 'routing_rule',
          targetId: id,
          details: { name: body.name },
        });
      });
      return toRule(await loadRule(actor.workspaceId, id));
    },

    async updateRule(actor: Actor, id: string, body: z.infer<typeof updateRoutingRuleBody>) {
      assertCan(actor, 'routing:manage');
      await loadRule(actor.workspaceId, id);
      await db.transaction(async (tx) => {
        await checkReferences(tx, actor.workspaceId, body);
        await repo.updateRule(tx, actor.workspaceId, id, {
          ...body,
          ...(body.conditions ? { conditions: cleanConditions(body.conditions) } : {}),
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'routing.rule_updated',
          targetType: 'routing_rule',
          targetId: id,
          details: { fields: Object.keys(body) },
        });
      });
      return toRule(await loadRule(actor.workspaceId, id));
    },

    async deleteRule(actor: Actor, id: string) {
      assertCan(actor, 'routing:manage');
      const rule = await loadRule(actor.workspaceId, id);
      await db.transaction(async (tx) => {
        await repo.deleteRule(tx, actor.workspaceId, id);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'routing.rule_deleted',
          targetType: 'routing_rule',
          targetId: id,
          details: { name: rule.name },
        });
      });
    },

    /** The full order, first rule first: every rule of the workspace exactly once. */
    async reorderRules(actor: Actor, ids: string[]) {
      assertCan(actor, 'routing:manage');
      const current = new Set((await repo.listRules(db, actor.workspaceId)).map((rule) => rule.id));
      if (ids.length !== current.size || new Set(ids).size !== ids.length || ids.some((id) => !current.has(id))) {
        throw new AppError('routing_rule.invalid', '排序需要列出全部路由规则，且每条只出现一次');
      }
      await repo.setRuleOrder(db, actor.workspaceId, ids);
      return (await repo.listRules(db, actor.workspaceId)).map(toRule);
    },

    async getInboxMembers(actor: Actor, inboxId: string) {
      assertCan(actor, 'routing:manage');
      if (!(await repo.existingIds(db, actor.workspaceId, 'inboxes', [inboxId])).has(inboxId)) {
        throw new AppError('inbox.not_found', '收件箱不存在');
      }
      return { inboxId, userIds: await repo.listInboxMembers(db, actor.workspaceId, inboxId) };
    },

    /** Who may work the inbox; an empty list opens it to every staff member again. */
    async setInboxMembers(actor: Actor, inboxId: string, userIds: string[]) {
      assertCan(actor, 'routing:manage');
      const unique = [...new Set(userIds)];
      await db.transaction(async (tx) => {
        if (!(await repo.existingIds(tx, actor.workspaceId, 'inboxes', [inboxId])).has(inboxId)) {
          throw new AppError('inbox.not_found', '收件箱不存在');
        }
        const staff = await repo.existingIds(tx, actor.workspaceId, 'users', unique);
        if (unique.some((userId) => !staff.has(userId))) {
          throw new AppError('request.invalid', '成员中有不存在的客服（或不是客服角色的用户）');
        }
        await repo.replaceInboxMembers(tx, actor.workspaceId, inboxId, unique);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'routing.inbox_members_set',
          targetType: 'inbox',
          targetId: inboxId,
          details: { count: unique.length },
        });
      });
      return { inboxId, userIds: await repo.listInboxMembers(db, actor.workspaceId, inboxId) };
    },

    async listLog(actor: Actor, limit: number) {
      assertCan(actor, 'routing:manage');
      return (await repo.listLog(db, actor.workspaceId, limit)).map(toLogEntry);
    },

    async liveQueue(actor: Actor): Promise<LiveQueue> {
      assertCan(actor, 'queue:monitor');
      const [totals, agents, waiting] = await Promise.all([
        repo.queueTotals(db, actor.workspaceId),
        repo.listAgents(db, actor.workspaceId),
        repo.listWaiting(db, actor.workspaceId, 200),
      ]);
      const group = (row: repo.GroupRow) => ({
        id: row.id,
        name: row.name,
        waiting: row.waiting,
        longestWaitSeconds: row.longest_wait_seconds,
      });
      return {
        teams: totals.teams.map(group),
        inboxes: totals.inboxes.map(group),
        agents: agents.filter((agent) => !agent.disabled).map(toAgent),
        waiting: waiting.map((row) => ({
          conversationId: row.conversation_id,
          customerId: row.customer_id,
          customerName: row.customer_name,
          inboxId: row.inbox_id,
          inboxName: row.inbox_name,
          channelType: row.channel_type,
          teamId: row.team_id,
          teamName: row.team_name,
          assigneeId: row.assignee_id,
          assigneeName: row.assignee_name,
          waitingSince: iso(row.waiting_since)!,
          waitSeconds: row.wait_seconds,
          lastMessagePreview: row.last_message_preview,
        })),
        thresholds: { amberSeconds: WAIT_AMBER_SECONDS, redSeconds: WAIT_RED_SECONDS },
        generatedAt: new Date().toISOString(),
      };
    },
  };
}
