import {
  type CustomFieldDefinition,
  isSegmentGroup,
  type SegmentCondition,
  type SegmentField,
  type SegmentFilter,
  type SegmentOperator,
  type SegmentValueType,
  segmentFilterIssues,
  segmentOperatorsByType,
  segmentValueProblem,
  segmentValueTypeOf,
} from '@huike/contracts';

/** The field picker's groups, in the order the builder shows them. */
export const fieldSections = [
  { key: 'basic', fields: ['name', 'gender', 'region', 'source', 'campaign', 'birthday', 'created_at', 'owner'] },
  { key: 'custom', fields: [] },
  { key: 'tags', fields: ['tags'] },
  { key: 'orders', fields: ['order_count', 'total_spent_fen', 'last_order_at', 'product'] },
  { key: 'value', fields: ['rfm_tier', 'lifecycle_stage'] },
  { key: 'engagement', fields: ['last_contact_at', 'channel'] },
] as const satisfies readonly { key: string; fields: readonly SegmentField[] }[];

/** Picker value of a condition's field: the field itself, or `custom:<key>` for a custom field. */
export const fieldValueOf = (condition: SegmentCondition): string =>
  condition.field === 'custom_field' ? `custom:${condition.key ?? ''}` : condition.field;

const customTypes: Record<CustomFieldDefinition['type'], SegmentValueType> = {
  text: 'text',
  number: 'number',
  date: 'date',
  single_select: 'enum',
  multi_select: 'multi_select',
};

/** The value type of a condition: built-in fields by the shared table, custom fields by their definition. */
export function valueTypeOf(condition: SegmentCondition, customFields: CustomFieldDefinition[]): SegmentValueType {
  if (condition.field !== 'custom_field') return segmentValueTypeOf(condition.field) ?? 'text';
  const definition = customFields.find((field) => field.key === condition.key);
  return definition ? customTypes[definition.type] : 'text';
}

/** A fresh condition for a picked field: its first sensible operator and no value yet. */
export function newCondition(fieldValue: string, customFields: CustomFieldDefinition[]): SegmentCondition {
  const condition: SegmentCondition = fieldValue.startsWith('custom:')
    ? { field: 'custom_field', key: fieldValue.slice('custom:'.length), op: 'eq' }
    : { field: fieldValue as SegmentField, op: 'eq' };
  const type = valueTypeOf(condition, customFields);
  condition.op = defaultOperator(condition.field, type);
  return condition;
}

function defaultOperator(field: SegmentField, type: SegmentValueType): SegmentOperator {
  if (field === 'last_contact_at' || field === 'last_order_at') return 'within_days';
  if (type === 'tags' || type === 'multi_select') return 'has_any';
  if (type === 'product' || field === 'name' || field === 'region') return 'contains';
  if (field === 'order_count' || field === 'total_spent_fen') return 'gte';
  return segmentOperatorsByType[type][0] ?? 'eq';
}

/** Keeps the value when it still fits the new operator (one ↔ many converts), else clears it. */
export function adaptValue(condition: SegmentCondition, op: SegmentOperator): SegmentCondition['value'] {
  const value = condition.value;
  if (op === 'is_empty' || op === 'is_not_empty') return undefined;
  const wantsList = ['in', 'not_in', 'has_any', 'has_all', 'has_none'].includes(op);
  if (op === 'between' || op === 'within_days' || op === 'older_than_days') return undefined;
  if (['between', 'within_days', 'older_than_days'].includes(condition.op)) return undefined;
  if (wantsList) return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (Array.isArray(value)) return value[0];
  return value;
}

export type ConditionProblem =
  | 'unknownField'
  | 'incomplete'
  | 'negative'
  | 'daysRange'
  | 'reversedRange'
  | 'invalidValue';

const isMissing = (value: SegmentCondition['value']) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && (value.length === 0 || value.some((item) => item === undefined || item === null)));

/** Why this condition cannot be counted yet (no value yet, or a value the server would refuse), for the row's hint. */
export function conditionProblem(
  condition: SegmentCondition,
  customFields: CustomFieldDefinition[],
): ConditionProblem | undefined {
  if (condition.field === 'custom_field' && !customFields.some((field) => field.key === condition.key))
    return 'unknownField';
  const { op, value } = condition;
  // The server would count a negative amount or order count, but no customer can have one: it is a typo.
  const isCount = condition.field === 'total_spent_fen' || condition.field === 'order_count';
  if (isCount && [value].flat().some((item) => typeof item === 'number' && item < 0)) return 'negative';
  if (op !== 'is_empty' && op !== 'is_not_empty' && isMissing(value)) return 'incomplete';
  const definition = customFields.find((field) => field.key === condition.key);
  const options = condition.field === 'custom_field' && definition?.options.length ? definition.options : undefined;
  if (!segmentValueProblem(valueTypeOf(condition, customFields), op, value, options)) return undefined;
  if (op === 'within_days' || op === 'older_than_days') return 'daysRange';
  if (op === 'between' && Array.isArray(value) && (value[0] as number) > (value[1] as number)) return 'reversedRange';
  return 'invalidValue';
}

/**
 * Why the filter cannot be counted or saved: a condition still to fill in, or one with a wrong value (which wins,
 * as it needs fixing rather than finishing). Undefined when it can be sent.
 */
export function filterProblem(
  filter: SegmentFilter,
  customFields: CustomFieldDefinition[],
): 'incomplete' | 'invalid' | undefined {
  const problems: (ConditionProblem | undefined)[] = [];
  const walk = (group: SegmentFilter) => {
    for (const node of group.conditions) {
      if (isSegmentGroup(node)) walk(node);
      else problems.push(conditionProblem(node, customFields));
    }
  };
  walk(filter);
  if (problems.some((problem) => problem && problem !== 'incomplete')) return 'invalid';
  if (problems.includes('incomplete') || segmentFilterIssues(filter).length > 0) return 'incomplete';
  return undefined;
}

export const emptyFilter = (): SegmentFilter => ({ op: 'and', conditions: [] });

export const countConditions = (filter: SegmentFilter): number =>
  filter.conditions.reduce((sum, node) => sum + (isSegmentGroup(node) ? countConditions(node) : 1), 0);
