import type {
  AutomationActionResult,
  AutomationConditionOutcome,
  AutomationPreset,
  AutomationTrigger,
} from '@huike/contracts';
import type { TFunction } from 'i18next';

/** The trigger in one line of the admin's language: 「客户发来的消息」, 「客服 10 分钟未回复」, 「每周一 09:00」. */
export function triggerSummary(trigger: AutomationTrigger, t: TFunction, tagName?: (id: string) => string | undefined) {
  switch (trigger.type) {
    case 'message.created':
      return t('automation.summary.message', { direction: t(`automation.directions.${trigger.direction}`) });
    case 'time.no_agent_reply':
    case 'time.no_customer_reply':
      return t('automation.summary.noReply', {
        who: t(trigger.type === 'time.no_agent_reply' ? 'automation.summary.agent' : 'automation.summary.customer'),
        minutes: trigger.minutes,
      });
    case 'schedule':
      return trigger.frequency === 'daily'
        ? t('automation.summary.daily', { time: trigger.time })
        : t('automation.summary.weekly', {
            time: trigger.time,
            weekday: t(`automation.weekdays.${String(trigger.weekday ?? 1) as '1'}`),
          });
    case 'customer.tag_added':
    case 'conversation.tag_added': {
      const base = t(`automation.triggers.${trigger.type}`);
      const name = trigger.tagId ? (tagName?.(trigger.tagId) ?? '?') : undefined;
      return name ? `${base}${t('automation.summary.tag', { tag: name })}` : base;
    }
    default:
      return t(`automation.triggers.${trigger.type}`);
  }
}

/**
 * A template in the admin's language: the server words its built-in templates in Chinese, so their texts are
 * translated here by template key; a template this app does not know keeps the server's words.
 */
export function presetText(preset: AutomationPreset, t: TFunction) {
  const text = (field: 'category' | 'name' | 'description' | 'summary' | 'note', fallback: string) =>
    t(`automation.presetTexts.${preset.key}.${field}` as 'automation.presetTexts.urgent_escalation.note', {
      defaultValue: fallback,
    });
  return {
    category: text('category', preset.category),
    name: text('name', preset.name),
    description: text('description', preset.description),
    /** The rule's one-line description: what it does, 「消息提到 退货 → 会话标签 售后处理中」. */
    summary: text('summary', preset.rule.description),
    /** The tags the workspace lacks: 标签「售后客户」（客户标签）. */
    needs: preset.needs.map((need) =>
      t('automation.presetNeedTag', { tag: need.tagName, target: t(`automation.tagTarget.${need.target}`) }),
    ),
    /** The rule as the editor starts with it: its name, description and internal notes translated too. */
    rule: {
      ...preset.rule,
      name: text('name', preset.rule.name),
      description: text('summary', preset.rule.description),
      actions: preset.rule.actions.map((action) =>
        action.type === 'private_note' ? { ...action, content: text('note', action.content) } : action,
      ),
    },
  };
}

/** The conditions as evaluated on one event, in the admin's language: 「条件 1「消息内容」成立 · 条件 2 … 不成立」. */
export function conditionOutcomesText(conditions: AutomationConditionOutcome[], t: TFunction) {
  if (conditions.length === 0) return t('automation.noConditions');
  return conditions
    .map((outcome) =>
      t(outcome.passed ? 'automation.conditionPassed' : 'automation.conditionFailed', {
        path: outcome.path,
        field: t(`automation.fields.${outcome.field as 'customer'}`, { defaultValue: outcome.field }),
      }),
    )
    .join(' · ');
}

/** What an action did: its enum values worded here (the server keeps them as values), else the server's words. */
export function actionResultText(result: AutomationActionResult, t: TFunction) {
  const values = result.values ?? {};
  if (values.priority)
    return t('automation.resultValues.priority', { value: t(`automation.priorities.${values.priority as 'low'}`) });
  if (values.status)
    return t('automation.resultValues.status', { value: t(`automation.statuses.${values.status as 'open'}`) });
  if (values.stage)
    return t('automation.resultValues.stage', { value: t(`automation.lifecycle.${values.stage as 'new'}`) });
  return result.detail ?? '✓';
}
