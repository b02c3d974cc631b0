import { z } from 'zod';
import { id, isoDateTime, trimmedString } from './common.ts';
import { rfmTiers } from './customers.ts';
import { channelType } from './workspaces.ts';

/** What an agent shows: offline is set by the server when their last socket has been gone for a minute. */
export const agentPresences = ['online', 'busy', 'away', 'offline'] as const;
export const agentPresence = z.enum(agentPresences);
export type AgentPresence = z.infer<typeof agentPresence>;
export const chosenPresence = z.enum(['online', 'busy', 'away']);

export const agentLevels = ['standard', 'senior'] as const;
export const routingLanguages = ['zh-CN', 'en'] as const;

/** An agent as routing sees them: presence, open load against capacity, level and skills. */
export const agentStatus = z.object({
  userId: id,
  name: z.string(),
  role: z.string(),
  disabled: z.boolean(),
  presence: agentPresence,
  load: z.number().int(),
  capacity: z.number().int(),
  level: z.enum(agentLevels),
  skills: z.array(z.string()),
  languages: z.array(z.string()),
  teamIds: z.array(id),
});
export type AgentStatus = z.infer<typeof agentStatus>;

export const setPresenceBody = z.strictObject({ presence: chosenPresence });

const skillName = trimmedString().min(1, '技能不能为空').max(30, '技能最多 30 个字');

export const updateAgentProfileBody = z.strictObject({
  capacity: z.number().int().min(0, '接待上限不能小于 0').max(100, '接待上限最多 100').optional(),
  level: z.enum(agentLevels).optional(),
  skills: z.array(skillName).max(20, '技能最多 20 个').optional(),
  languages: z.array(z.enum(routingLanguages)).max(5).optional(),
});
export type UpdateAgentProfileBody = z.infer<typeof updateAgentProfileBody>;

/** All lists that are set must match (AND); within a list any value matches (OR). Empty rule = match all. */
export const routingConditions = z.strictObject({
  tiers: z.array(z.enum(rfmTiers)).max(10).optional(),
  tagIds: z.array(id).max(50).optional(),
  languages: z.array(z.enum(routingLanguages)).max(5).optional(),
  inboxIds: z.array(id).max(50).optional(),
  channels: z
    .array(z.enum(['website', 'api']))
    .max(5)
    .optional(),
  keywords: z.array(trimmedString().min(1, '关键词不能为空').max(50, '关键词最多 50 个字')).max(50).optional(),
});
export type RoutingConditions = z.infer<typeof routingConditions>;

export const routingRule = z.object({
  id,
  name: z.string(),
  position: z.number().int(),
  enabled: z.boolean(),
  conditions: routingConditions,
  teamId: id.nullable(),
  teamName: z.string().nullable(),
  /** The rule names a team that was removed: its conversations wait in the general queue. */
  teamRemoved: z.boolean(),
  requiredSkill: z.string().nullable(),
  createdAt: isoDateTime,
});
export type RoutingRule = z.infer<typeof routingRule>;

export const createRoutingRuleBody = z.strictObject({
  name: trimmedString().min(1, '请填写规则名称').max(60, '规则名称最多 60 个字'),
  enabled: z.boolean().default(true),
  conditions: routingConditions,
  teamId: id.nullable(),
  requiredSkill: skillName.nullable().default(null),
});
export type CreateRoutingRuleBody = z.input<typeof createRoutingRuleBody>;

export const updateRoutingRuleBody = z.strictObject({
  name: trimmedString().min(1, '请填写规则名称').max(60, '规则名称最多 60 个字').optional(),
  enabled: z.boolean().optional(),
  conditions: routingConditions.optional(),
  teamId: id.nullable().optional(),
  requiredSkill: skillName.nullable().optional(),
});

export const reorderRoutingRulesBody = z.strictObject({ ids: z.array(id).min(1).max(200) });

export const inboxMembersBody = z.strictObject({ userIds: z.array(id).max(500) });
export const inboxMembers = z.object({ inboxId: id, userIds: z.array(id) });

export const routingOutcomes = ['assigned', 'queued', 'picked_up'] as const;

export const routingLogEntry = z.object({
  id,
  conversationId: id,
  /** With the inbox's channel, names a customer without a name as the workbench does (「访客 3f2a」). */
  customerId: id,
  customerName: z.string().nullable(),
  channelType,
  ruleId: id.nullable(),
  ruleName: z.string().nullable(),
  outcome: z.enum(routingOutcomes),
  assigneeId: id.nullable(),
  assigneeName: z.string().nullable(),
  teamId: id.nullable(),
  teamName: z.string().nullable(),
  /** A reason code: matched_rule, sticky, round_robin, no_rule, team_removed, no_agent_available, slot_freed. */
  reason: z.string(),
  createdAt: isoDateTime,
});
export type RoutingLogEntry = z.infer<typeof routingLogEntry>;

export const routingLogQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const queueGroup = z.object({
  id: id.nullable(),
  /** Null for the conversations of no team (or no inbox). */
  name: z.string().nullable(),
  waiting: z.number().int(),
  longestWaitSeconds: z.number().int(),
});

export const waitingConversation = z.object({
  conversationId: id,
  /** With the inbox's channel, names a customer without a name as the workbench does (「访客 3f2a」). */
  customerId: id,
  customerName: z.string().nullable(),
  inboxId: id,
  inboxName: z.string(),
  channelType,
  teamId: id.nullable(),
  teamName: z.string().nullable(),
  assigneeId: id.nullable(),
  assigneeName: z.string().nullable(),
  waitingSince: isoDateTime,
  waitSeconds: z.number().int(),
  lastMessagePreview: z.string().nullable(),
});
export type WaitingConversation = z.infer<typeof waitingConversation>;

/** The live queue (实时监控): waits per team and inbox, agents' presence and load, longest waits first. */
export const liveQueue = z.object({
  teams: z.array(queueGroup),
  inboxes: z.array(queueGroup),
  agents: z.array(agentStatus),
  waiting: z.array(waitingConversation),
  /** Waiting longer than these turns the timer amber / red. */
  thresholds: z.object({ amberSeconds: z.number().int(), redSeconds: z.number().int() }),
  generatedAt: isoDateTime,
});
export type LiveQueue = z.infer<typeof liveQueue>;
