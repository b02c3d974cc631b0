import type {
  AutomationAction,
  AutomationCondition,
  AutomationConditionGroup,
  AutomationTrigger,
} from '@huike/contracts';
import { isAutomationGroup } from '@huike/contracts';
import type { TFunction } from 'i18next';
import { ApiError } from '../../api/client.ts';

/** What is wrong with a rule draft, by the part of the editor that shows it. */
export type RuleErrors = {
  name?: string;
  description?: string;
  trigger?: string;
  conditions?: string;
  actions?: string;
  /** Per action row (index in the list). */
  actionRows: Record<number, string>;
};

type Draft = {
  name: string;
  trigger: AutomationTrigger;
  conditions: AutomationConditionGroup;
  actions: AutomationAction[];
};

export const hasRuleErrors = (errors: RuleErrors): boolean =>
  Boolean(errors.name || errors.description || errors.trigger || errors.conditions || errors.actions) ||
  Object.keys(errors.actionRows).length > 0;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A time trigger's wait, as the server takes it: whole minutes, 1 to 43 200 (30 days). */
export const TRIGGER_MINUTES = { min: 1, max: 43_200 } as const;

/** How long a set-status action snoozes, as the server takes it: whole minutes, 1 to 525 600 (a year). */
export const SNOOZE_MINUTES = { min: 1, max: 525_600 } as const;

/** Minutes as typed: the editor keeps what was typed (also empty or out of range), never clamps. */
const minutesValid = (minutes: unknown, range: { min: number; max: number } = TRIGGER_MINUTES): boolean =>
  typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= range.min && minutes <= range.max;

/** Leaf conditions still missing their value (an empty keyword, no tag or status chosen). */
function isIncomplete(condition: AutomationCondition): boolean {
  if (!('value' in condition)) return false;
  const { value } = condition as { value: unknown };
  if (
    condition.field === 'conversation.inbox' ||
    condition.field === 'conversation.assignee' ||
    condition.field === 'conversation.team'
  )
    return (
      (condition.operator === 'in' || condition.operator === 'not_in') && (!Array.isArray(value) || value.length === 0)
    );
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'string') return value.trim() === '';
  return false;
}

/** The first incomplete condition's number, counting leaf conditions top to bottom as the editor shows them. */
function firstIncompleteCondition(group: AutomationConditionGroup): number | null {
  let index = 0;
  const walk = (node: AutomationConditionGroup): number | null => {
    for (const child of node.conditions) {
      if (isAutomationGroup(child)) {
        const found = walk(child);
        if (found !== null) return found;
        continue;
      }
      index += 1;
      if (isIncomplete(child)) return index;
    }
    return null;
  };
  return walk(group);
}

function actionProblem(action: AutomationAction, t: TFunction): string | undefined {
  switch (action.type) {
    case 'add_tag':
    case 'remove_tag':
      return action.tagId ? undefined : t('automation.actionIncomplete.tag');
    case 'reply_template':
      return action.templateId ? undefined : t('automation.actionIncomplete.template');
    case 'private_note':
      return action.content.trim() ? undefined : t('automation.actionIncomplete.note');
    case 'webhook':
      return /^https?:\/\/[^\s/]+(\/\S*)?$/.test(action.url.trim())
        ? undefined
        : t('automation.actionIncomplete.webhook');
    case 'add_to_segment':
      return action.segmentId ? undefined : t('automation.actionIncomplete.segment');
    case 'set_status':
      return action.status !== 'snoozed' || minutesValid(action.snoozeMinutes, SNOOZE_MINUTES)
        ? undefined
        : t('automation.actionIncomplete.snoozeMinutes');
    default:
      return undefined;
  }
}

/** The checks the server would refuse the draft for, said at the field instead of as one banner. */
export function validateRule(draft: Draft, t: TFunction): RuleErrors {
  const errors: RuleErrors = { actionRows: {} };
  if (!draft.name.trim()) errors.name = t('automation.nameRequired');
  if (draft.trigger.type === 'schedule' && !HHMM.test(draft.trigger.time)) errors.trigger = t('automation.timeInvalid');
  if (
    (draft.trigger.type === 'time.no_agent_reply' || draft.trigger.type === 'time.no_customer_reply') &&
    !minutesValid(draft.trigger.minutes)
  )
    errors.trigger = t('automation.minutesInvalid');
  const incomplete = firstIncompleteCondition(draft.conditions);
  if (incomplete !== null) errors.conditions = t('automation.conditionIncomplete', { index: incomplete });
  if (draft.actions.length === 0) errors.actions = t('automation.actionsRequired');
  draft.actions.forEach((action, index) => {
    const problem = actionProblem(action, t);
    if (problem) errors.actionRows[index] = problem;
  });
  return errors;
}

/** The server's 400 details (`[{path: '/actions/0/tagId', message}]`) placed on the editor's parts; null when none fit. */
export function serverRuleErrors(error: unknown): RuleErrors | null {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return null;
  const errors: RuleErrors = { actionRows: {} };
  let placed = false;
  for (const detail of error.details as { path?: unknown; message?: unknown }[]) {
    if (typeof detail?.path !== 'string') continue;
    const message = typeof detail.message === 'string' && detail.message ? detail.message : error.message;
    const [part, index] = detail.path.split('/').filter(Boolean);
    if (part === 'actions' && index !== undefined && /^\d+$/.test(index)) {
      errors.actionRows[Number(index)] ??= message;
      placed = true;
    } else if (
      part === 'name' ||
      part === 'description' ||
      part === 'trigger' ||
      part === 'conditions' ||
      part === 'actions'
    ) {
      errors[part] ??= message;
      placed = true;
    }
  }
  return placed ? errors : null;
}
