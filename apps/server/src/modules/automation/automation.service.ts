import {
  type AutomationAction,
  type AutomationConditionGroup,
  type AutomationDryRunBody,
  type AutomationPreset,
  type AutomationRule,
  type AutomationRun,
  type AutomationRunListQuery,
  automationRuleDraft,
  automationRunListQuery,
  type CreateAutomationRuleBody,
  isAutomationGroup,
  type UpdateAutomationRuleBody,
  updateAutomationRuleBody,
} from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import { decodeIdCursor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import { type AuditService, changedFields, type FieldChange, hasChanges } from '../audit/index.ts';
import { asRecord, type Engine, type RuleRecord } from './automation.engine.ts';
import * as repo from './automation.repository.ts';
import { presetsFor } from './presets.ts';
import { assertRuleSavable, ruleProblems } from './rule-checks.ts';

/** The fields a condition tree tests, in order, each once: 「消息内容、客户标签」 in the audit log. */
function conditionFields(group: AutomationConditionGroup): string[] {
  const fields = group.conditions.flatMap((node) => (isAutomationGroup(node) ? conditionFields(node) : [node.field]));
  return [...new Set(fields)];
}

const actionTypes = (actions: AutomationAction[]) => actions.map((action) => action.type);

const differs = (before: unknown, after: unknown) => hasChanges(changedFields({ value: before }, { value: after }));

/** Summaries before → after; the same summary both sides means only values inside changed. */
const summarised = (before: string[], after: string[]): FieldChange | { changed: true } =>
  changedFields({ value: before }, { value: after }).value ?? { changed: true };

/**
 * What a rule update changed, for the audit log: plain fields and the trigger before → after; conditions and actions
 * (JSON trees the log could not show readably) as the fields they test and the kinds of action, or as
 * `{ changed: true }` when only values inside them changed (another keyword, another tag).
 */
function ruleChanges(current: RuleRecord, body: ReturnType<typeof updateAutomationRuleBody.parse>) {
  const changes: Record<string, FieldChange | { changed: true }> = changedFields(
    {
      name: current.name,
      description: current.description,
      enabled: current.enabled,
      position: current.position,
      trigger: current.trigger,
    },
    {
      name: body.name,
      description: body.description,
      enabled: body.enabled,
      position: body.position,
      trigger: body.trigger,
    },
  );
  if (body.conditions && differs(current.conditions, body.conditions))
    changes.conditions = summarised(conditionFields(current.conditions), conditionFields(body.conditions));
  if (body.actions && differs(current.actions, body.actions))
    changes.actions = summarised(actionTypes(current.actions), actionTypes(body.actions));
  return changes;
}

export type AutomationService = ReturnType<typeof createAutomationService>;

export function createAutomationService({ db, engine, audit }: { db: Db; engine: Engine; audit: AuditService }) {
  async function present(actor: Actor, row: repo.RuleRow): Promise<AutomationRule> {
    const rule = asRecord(row);
    return {
      id: rule.id,
      name: rule.name,
      description: rule.description,
      enabled: rule.enabled,
      trigger: rule.trigger,
      conditions: rule.conditions,
      actions: rule.actions,
      position: rule.position,
      createdBy: rule.createdBy,
      createdAt: rule.createdAt.toISOString(),
      updatedAt: rule.updatedAt.toISOString(),
      lastRunAt: rule.lastRunAt?.toISOString() ?? null,
      runCount: rule.runCount,
      failureCount: rule.failureCount,
      problems: await ruleProblems(db, rule.workspaceId, rule),
      webhookSecret: can(actor, 'automation:manage') ? rule.webhookSecret : null,
    };
  }

  async function load(actor: Actor, id: string) {
    const row = await repo.findRule(db, actor.workspaceId, id);
    if (!row) throw new AppError('automation_rule.not_found', '自动化规则不存在');
    return row;
  }

  const presentRun = (row: { run: repo.RunRow; ruleName: string | null }): AutomationRun => ({
    id: row.run.id,
    ruleId: row.run.ruleId,
    ruleName: row.ruleName,
    triggerKey: row.run.triggerKey,
    status: row.run.status,
    reason: row.run.reason,
    actionsResult: row.run.actionsResult as AutomationRun['actionsResult'],
    context: row.run.context as AutomationRun['context'],
    createdAt: row.run.createdAt.toISOString(),
  });

  return {
    async list(actor: Actor) {
      assertCan(actor, 'automation:read');
      const rows = await repo.listRules(db, actor.workspaceId);
      return { items: await Promise.all(rows.map((row) => present(actor, row))), nextCursor: null };
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'automation:read');
      return present(actor, await load(actor, id));
    },

    /** Creates a rule (disabled unless asked): references must exist, features must be available. */
    async create(actor: Actor, body: CreateAutomationRuleBody) {
      assertCan(actor, 'automation:manage');
      const draft = automationRuleDraft.parse(body);
      await assertRuleSavable(db, actor.workspaceId, draft);
      const row = await db.transaction(async (tx) => {
        const inserted = await repo.insertRule(tx, {
          id: newId(),
          workspaceId: actor.workspaceId,
          name: draft.name,
          description: draft.description,
          enabled: draft.enabled,
          triggerType: draft.trigger.type,
          trigger: draft.trigger,
          conditions: draft.conditions,
          actions: draft.actions,
          position: await repo.nextPosition(tx, actor.workspaceId),
          webhookSecret: randomToken(24),
          createdBy: actor.userId,
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'automation_rule.created',
          targetType: 'automation_rule',
          targetId: inserted.id,
          details: { name: inserted.name, trigger: draft.trigger.type, enabled: draft.enabled },
        });
        return inserted;
      });
      engine.forgetRules(actor.workspaceId);
      return present(actor, row);
    },

    async update(actor: Actor, id: string, rawBody: UpdateAutomationRuleBody) {
      assertCan(actor, 'automation:manage');
      const body = updateAutomationRuleBody.parse(rawBody);
      const current = asRecord(await load(actor, id));
      const next = {
        trigger: body.trigger ?? current.trigger,
        conditions: body.conditions ?? current.conditions,
        actions: body.actions ?? current.actions,
      };
      // Re-checked whenever the rule's logic changes or it is switched on (a broken rule cannot be enabled).
      if (body.trigger || body.conditions || body.actions || body.enabled === true) {
        await assertRuleSavable(db, actor.workspaceId, next);
      }
      const row = await db.transaction(async (tx) => {
        const updated = await repo.updateRule(tx, actor.workspaceId, id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          ...(body.position !== undefined ? { position: body.position } : {}),
          ...(body.trigger ? { trigger: body.trigger, triggerType: body.trigger.type } : {}),
          ...(body.conditions ? { conditions: body.conditions } : {}),
          ...(body.actions ? { actions: body.actions } : {}),
        });
        if (!updated) throw new AppError('automation_rule.not_found', '自动化规则不存在');
        const changes = ruleChanges(current, body);
        if (hasChanges(changes)) {
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: 'automation_rule.updated',
            targetType: 'automation_rule',
            targetId: id,
            details: { name: updated.name, changes },
          });
        }
        return updated;
      });
      engine.forgetRules(actor.workspaceId);
      return present(actor, row);
    },

    async remove(actor: Actor, id: string) {
      assertCan(actor, 'automation:manage');
      await db.transaction(async (tx) => {
        const row = await repo.findRule(tx, actor.workspaceId, id);
        if (!row || !(await repo.deleteRule(tx, actor.workspaceId, id))) {
          throw new AppError('automation_rule.not_found', '自动化规则不存在');
        }
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'automation_rule.deleted',
          targetType: 'automation_rule',
          targetId: id,
          details: { name: row.name },
        });
      });
      engine.forgetRules(actor.workspaceId);
    },

    /** Evaluates a saved or unsaved rule against the last 7 days without acting. */
    async dryRun(actor: Actor, body: AutomationDryRunBody) {
      assertCan(actor, 'automation:read');
      if ('ruleId' in body) {
        const rule = asRecord(await load(actor, body.ruleId));
        return engine.dryRun(actor.workspaceId, rule);
      }
      const draft = automationRuleDraft.parse(body.rule);
      await assertRuleSavable(db, actor.workspaceId, draft);
      return engine.dryRun(actor.workspaceId, draft);
    },

    async runs(actor: Actor, rawQuery: AutomationRunListQuery) {
      assertCan(actor, 'automation:read');
      const query = automationRunListQuery.parse(rawQuery);
      const before = decodeIdCursor(query.cursor);
      const rows = await repo.listRuns(
        db,
        actor.workspaceId,
        { ruleId: query.ruleId, status: query.status, before },
        query.limit + 1,
      );
      const items = rows.slice(0, query.limit).map(presentRun);
      return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null };
    },

    async presets(actor: Actor): Promise<{ items: AutomationPreset[] }> {
      assertCan(actor, 'automation:read');
      return { items: await presetsFor(db, actor.workspaceId) };
    },
  };
}
