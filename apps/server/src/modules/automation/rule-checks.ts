import { isIP } from 'node:net';
import {
  type AutomationAction,
  type AutomationCondition,
  type AutomationConditionGroup,
  type AutomationTrigger,
  isAutomationGroup,
  MAX_AUTOMATION_DEPTH,
  type SegmentFilter,
} from '@huike/contracts';
import type { Executor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { checkUrlForm, isBlockedAddress, UnsafeUrlError } from '../../platform/safe-fetch.ts';
import { checkRegex } from '../keyword-replies/index.ts';
import { compileSegmentFilter } from '../segments/index.ts';
import * as repo from './automation.repository.ts';

/** What a rule is made of, as stored and as drafted. */
export type RuleShape = {
  trigger: AutomationTrigger;
  conditions: AutomationConditionGroup;
  actions: AutomationAction[];
};

export function collectConditions(group: AutomationConditionGroup, into: AutomationCondition[] = []) {
  for (const node of group.conditions) {
    if (isAutomationGroup(node)) collectConditions(node, into);
    else into.push(node);
  }
  return into;
}

function depthOf(group: AutomationConditionGroup): number {
  return 1 + Math.max(0, ...group.conditions.filter(isAutomationGroup).map(depthOf));
}

type References = {
  tags: string[];
  templates: string[];
  users: string[];
  teams: string[];
  segments: string[];
  inboxes: string[];
};

/** Every id the rule refers to, by kind, with a label of where (for the problem message). */
function referencesOf(rule: RuleShape) {
  const refs: { kind: keyof References; id: string; where: string }[] = [];
  const add = (kind: keyof References, id: string | null | undefined, where: string) => {
    if (id) refs.push({ kind, id, where });
  };
  const { trigger } = rule;
  if ((trigger.type === 'customer.tag_added' || trigger.type === 'conversation.tag_added') && trigger.tagId) {
    add('tags', trigger.tagId, '触发条件的标签');
  }
  if (trigger.type === 'schedule' && trigger.target.kind === 'segment')
    add('segments', trigger.target.segmentId, '定时任务的分组');
  for (const condition of collectConditions(rule.conditions)) {
    switch (condition.field) {
      case 'customer.tags':
      case 'conversation.tags':
        for (const id of condition.value) add('tags', id, '条件中的标签');
        break;
      case 'customer.segment':
        for (const id of condition.value) add('segments', id, '条件中的分组');
        break;
      case 'conversation.assignee':
        for (const id of condition.value ?? []) add('users', id, '条件中的客服');
        break;
      case 'conversation.team':
        for (const id of condition.value ?? []) add('teams', id, '条件中的团队');
        break;
      case 'conversation.inbox':
        for (const id of condition.value ?? []) add('inboxes', id, '条件中的渠道');
        break;
      case 'customer':
        if (condition.condition.field === 'tags' && Array.isArray(condition.condition.value)) {
          for (const id of condition.condition.value) add('tags', String(id), '条件中的客户标签');
        }
        break;
      default:
        break;
    }
  }
  for (const [index, action] of rule.actions.entries()) {
    const where = `第 ${index + 1} 个动作`;
    switch (action.type) {
      case 'add_tag':
      case 'remove_tag':
        add('tags', action.tagId, `${where}的标签`);
        break;
      case 'assign':
        add('users', action.assigneeId, `${where}的客服`);
        add('teams', action.teamId, `${where}的团队`);
        break;
      case 'reply_template':
        add('templates', action.templateId, `${where}的话术`);
        break;
      case 'add_to_segment':
        add('segments', action.segmentId, `${where}的分组`);
        break;
      default:
        break;
    }
  }
  return refs;
}

const kindNames: Record<keyof References, string> = {
  tags: '标签',
  templates: '话术',
  users: '客服',
  teams: '团队',
  segments: '分组',
  inboxes: '渠道',
};

/**
 * What is wrong with a stored rule now: references to deleted (or disabled) tags, templates, agents, teams,
 * segments and inboxes, features not available yet, a segment that lost its defining tag. Empty = healthy.
 */
export async function ruleProblems(executor: Executor, workspaceId: string, rule: RuleShape): Promise<string[]> {
  const problems: string[] = [];
  const refs = referencesOf(rule);
  if (refs.length > 0) {
    const wanted: References = { tags: [], templates: [], users: [], teams: [], segments: [], inboxes: [] };
    for (const ref of refs) wanted[ref.kind].push(ref.id);
    const found = await repo.existingReferences(executor, workspaceId, wanted);
    for (const ref of refs) {
      if (!found[ref.kind].has(ref.id)) {
        const suffix = ref.kind === 'users' ? '不存在或已停用' : '已删除';
        problems.push(`${ref.where}（${kindNames[ref.kind]}）${suffix}`);
      }
    }
  }
  for (const [index, action] of rule.actions.entries()) {
    if (action.type === 'add_to_segment') {
      const segment = await repo.findSegment(executor, workspaceId, action.segmentId);
      if (segment && definingTags(segment.filter as SegmentFilter) === null) {
        problems.push(`第 ${index + 1} 个动作的分组「${segment.name}」不是由单个标签定义的，无法把客户加入`);
      }
    }
  }
  return [...new Set(problems)];
}

/**
 * "Add the customer to a segment": a segment is a saved filter, not a list, so a customer can only be put
 * in one by changing what the filter tests. We support segments defined by one tag condition (`has any` of
 * tags → the first tag; `has all` → every tag): applying those tags makes the customer a member. Segments
 * defined by other fields (spend, RFM, region…) cannot be joined by an action and are refused at save time.
 */
export function definingTags(filter: SegmentFilter | null | undefined): string[] | null {
  const only = filter?.conditions.length === 1 ? filter.conditions[0] : undefined;
  if (!only) return null;
  if ('conditions' in only) return definingTags(only);
  if (only.field !== 'tags' || !Array.isArray(only.value) || only.value.length === 0) return null;
  if (only.op === 'has_any') return [String(only.value[0])];
  if (only.op === 'has_all') return only.value.map(String);
  return null;
}

const invalid = (message: string, details?: unknown) => new AppError('automation_rule.invalid', message, details);

/**
 * Checks a rule being saved (or dry-run): what the schema cannot say. Unknown references are refused here
 * (a reference deleted later makes a saved rule broken instead).
 */
export async function assertRuleSavable(executor: Executor, workspaceId: string, rule: RuleShape) {
  if (depthOf(rule.conditions) > MAX_AUTOMATION_DEPTH) throw invalid(`条件最多嵌套 ${MAX_AUTOMATION_DEPTH} 层`);
  const { trigger } = rule;
  if (trigger.type === 'schedule' && trigger.frequency === 'weekly' && !trigger.weekday) {
    throw invalid('每周定时需要选择星期几');
  }
  for (const condition of collectConditions(rule.conditions)) {
    if (condition.field === 'message.content' && condition.operator === 'regex') {
      // The keyword replies' check: RE2 syntax only, and no nested repetition (catastrophic backtracking).
      try {
        checkRegex(condition.value);
      } catch (error) {
        if (error instanceof AppError) throw invalid(`条件中的${error.message}`, error.details);
        throw error;
      }
    }
    if (condition.field === 'customer') {
      try {
        await compileSegmentFilter(
          executor,
          workspaceId,
          { op: 'and', conditions: [condition.condition] },
          { strict: true },
        );
      } catch (error) {
        if (error instanceof AppError) throw invalid(`客户条件不正确：${error.message}`, error.details);
        throw error;
      }
    }
  }
  for (const [index, action] of rule.actions.entries()) {
    const where = `第 ${index + 1} 个动作`;
    if (action.type === 'set_status' && action.status === 'snoozed' && !action.snoozeMinutes) {
      throw invalid(`${where}：挂起需要填写时长（分钟）`);
    }
    if (action.type === 'assign' && action.assigneeId === undefined && action.teamId === undefined) {
      throw invalid(`${where}：请选择要分配的客服或团队`);
    }
    if (action.type === 'webhook') {
      try {
        const url = checkUrlForm(action.url);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isBlockedAddress(host))) {
          throw new UnsafeUrlError('网址指向内网、本机或保留地址，已拒绝');
        }
      } catch (error) {
        if (error instanceof UnsafeUrlError) throw invalid(`${where}：Webhook ${error.message}`);
        throw error;
      }
    }
    if (action.type === 'add_to_segment') {
      const segment = await repo.findSegment(executor, workspaceId, action.segmentId);
      if (segment && definingTags(segment.filter as SegmentFilter) === null) {
        throw invalid(
          `${where}：分组「${segment.name}」由筛选条件定义，不能直接加入客户。只有由单个标签定义的分组可以（动作会为客户打上该标签）；其他分组请改用「添加客户标签」或「设置生命周期」`,
        );
      }
    }
  }
  const problems = (await ruleProblems(executor, workspaceId, rule)).filter((problem) => !problem.includes('尚未上线'));
  if (problems.length > 0) throw invalid(`规则引用的对象不存在：${problems.join('；')}`, { problems });
}
