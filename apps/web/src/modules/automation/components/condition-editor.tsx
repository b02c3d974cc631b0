import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { AutomationCondition, AutomationConditionGroup } from '@huike/contracts';
import { isAutomationGroup } from '@huike/contracts';
import { Button, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useTeams, useUsers } from '../../identity/hooks/use-users.ts';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { TagSelect } from '../../segments/components/tag-select.tsx';
import { useSegments } from '../../segments/hooks/use-segments.ts';

type Field = AutomationCondition['field'];

const FIELDS: Field[] = [
  'message.content',
  'message.sentiment',
  'message.urgent',
  'message.urgency_reason',
  'conversation.status',
  'conversation.priority',
  'conversation.inbox',
  'conversation.assignee',
  'conversation.team',
  'customer.tags',
  'conversation.tags',
  'customer.segment',
  'customer',
  'order.status',
  'order.amount_fen',
  'business_hours',
];

const CUSTOMER_FIELDS = {
  lifecycle_stage: ['prospect', 'new', 'active', 'dormant', 'churned', 'returning'],
  rfm_tier: ['loyal', 'potential', 'new', 'winback', 'churned'],
  gender: ['male', 'female', 'unknown'],
  region: null,
  source: null,
} as const;
type CustomerField = keyof typeof CUSTOMER_FIELDS;

/** A new condition of a field, with sensible first values. */
export function defaultCondition(field: Field): AutomationCondition {
  switch (field) {
    case 'message.content':
      return { field, operator: 'contains', value: '' };
    case 'message.sentiment':
      return { field, operator: 'is', value: 'negative' };
    case 'message.urgent':
      return { field, operator: 'is', value: true };
    case 'message.urgency_reason':
      return { field, operator: 'in', value: ['complaint_threat'] };
    case 'conversation.status':
      return { field, operator: 'in', value: ['open'] };
    case 'conversation.priority':
      return { field, operator: 'in', value: ['urgent'] };
    case 'conversation.inbox':
    case 'conversation.assignee':
    case 'conversation.team':
      return { field, operator: 'in', value: [] };
    case 'customer.tags':
    case 'conversation.tags':
      return { field, operator: 'has_any', value: [] };
    case 'customer.segment':
      return { field, operator: 'in', value: [] };
    case 'customer':
      return { field, condition: { field: 'lifecycle_stage', op: 'in', value: ['active'] } };
    case 'order.status':
      return { field, operator: 'in', value: ['paid'] };
    case 'order.amount_fen':
      return { field, operator: 'gte', value: 10_000 };
    case 'business_hours':
      return { field, operator: 'is', value: 'closed' };
  }
}

type RowProps = { condition: AutomationCondition; onChange: (next: AutomationCondition) => void };

function ConditionRow({ condition, onChange }: RowProps) {
  const { t } = useTranslation();
  const users = useUsers();
  const teams = useTeams();
  const inboxes = useInboxes();
  const segments = useSegments();
  const op = (
    values: readonly string[],
    label = (value: string) => t(`automation.operators.${value}` as 'automation.operators.in'),
  ) => values.map((value) => ({ value, label: label(value) }));
  const set = (patch: Record<string, unknown>) => onChange({ ...condition, ...patch } as AutomationCondition);
  const operatorSelect = (operators: readonly string[], width: number) => (
    <Select
      value={'operator' in condition ? condition.operator : undefined}
      onChange={(operator) => set({ operator })}
      options={op(operators)}
      style={{ width }}
    />
  );
  const wide = { minWidth: 220 };

  switch (condition.field) {
    case 'message.content':
      return (
        <Space wrap>
          {operatorSelect(['contains', 'not_contains', 'regex'], 120)}
          <Input
            value={condition.value}
            onChange={(event) => set({ value: event.target.value })}
            placeholder={t('automation.contentExample')}
            style={{ width: 220 }}
            data-testid="condition-text"
          />
        </Space>
      );
    case 'message.sentiment':
      return (
        <Space wrap>
          <Select
            value={condition.value}
            onChange={(value) => set({ value })}
            options={op(['negative', 'positive'], (value) => t(`automation.sentiment.${value as 'positive'}`))}
            style={{ width: 100 }}
          />
          <span>{t('automation.minScore')}</span>
          <InputNumber
            min={0.5}
            max={1}
            step={0.05}
            value={condition.minScore}
            onChange={(value) => set({ minScore: value ?? undefined })}
          />
        </Space>
      );
    case 'message.urgent':
      return (
        <Select
          value={String(condition.value)}
          onChange={(value) => set({ value: value === 'true' })}
          options={op(['true', 'false'], (value) => t(`automation.urgent.${value as 'true'}`))}
          style={{ width: 120 }}
        />
      );
    case 'message.urgency_reason':
      return (
        <Select
          mode="multiple"
          value={condition.value}
          onChange={(value) => set({ value })}
          options={op(['complaint_threat', 'refund_dispute', 'strong_negative', 'repeated_contact'], (value) =>
            t(`automation.urgencyReasons.${value as 'refund_dispute'}`),
          )}
          style={wide}
        />
      );
    case 'conversation.status':
    case 'conversation.priority': {
      const values =
        condition.field === 'conversation.status'
          ? (['open', 'pending', 'snoozed', 'resolved'] as const)
          : (['low', 'normal', 'high', 'urgent'] as const);
      const key = condition.field === 'conversation.status' ? 'statuses' : 'priorities';
      return (
        <Space wrap>
          {operatorSelect(['in', 'not_in'], 170)}
          <Select
            mode="multiple"
            value={condition.value}
            onChange={(value) => set({ value })}
            options={values.map((value) => ({
              value,
              label: t(`automation.${key}.${value}` as 'automation.statuses.open'),
            }))}
            style={wide}
          />
        </Space>
      );
    }
    case 'conversation.inbox':
    case 'conversation.assignee':
    case 'conversation.team': {
      const options =
        condition.field === 'conversation.inbox'
          ? (inboxes.data ?? []).map((inbox) => ({ value: inbox.id, label: inbox.name }))
          : condition.field === 'conversation.assignee'
            ? (users.data ?? []).map((user) => ({ value: user.id, label: user.name }))
            : (teams.data ?? []).map((team) => ({ value: team.id, label: team.name }));
      const needsValue = condition.operator === 'in' || condition.operator === 'not_in';
      return (
        <Space wrap>
          <Select
            value={condition.operator}
            onChange={(operator) =>
              set({ operator, value: operator === 'in' || operator === 'not_in' ? (condition.value ?? []) : undefined })
            }
            options={op(['in', 'not_in', 'is_empty', 'is_not_empty'])}
            style={{ width: 170 }}
          />
          {needsValue && (
            <Select
              mode="multiple"
              value={condition.value ?? []}
              onChange={(value) => set({ value })}
              options={options}
              style={wide}
            />
          )}
        </Space>
      );
    }
    case 'customer.tags':
    case 'conversation.tags':
      return (
        <Space wrap>
          {operatorSelect(['has_any', 'has_all', 'has_none'], 130)}
          <div style={wide}>
            <TagSelect value={condition.value} onChange={(value) => set({ value })} />
          </div>
        </Space>
      );
    case 'customer.segment':
      return (
        <Space wrap>
          {operatorSelect(['in', 'not_in'], 170)}
          <Select
            mode="multiple"
            value={condition.value}
            onChange={(value) => set({ value })}
            options={(segments.data ?? []).map((segment) => ({ value: segment.id, label: segment.name }))}
            style={wide}
          />
        </Space>
      );
    case 'customer': {
      const inner = condition.condition;
      const field = inner.field as CustomerField;
      const choices = CUSTOMER_FIELDS[field] ?? null;
      const setInner = (patch: Record<string, unknown>) => set({ condition: { ...inner, ...patch } });
      const translate = (value: string) => {
        if (field === 'lifecycle_stage') return t(`automation.lifecycle.${value as 'new'}`);
        if (field === 'rfm_tier') return t(`automation.rfm.${value as 'new'}`);
        return t(`automation.gender.${value as 'male'}`);
      };
      return (
        <Space wrap>
          <Select
            value={field}
            onChange={(next: CustomerField) =>
              setInner(
                CUSTOMER_FIELDS[next]
                  ? { field: next, op: 'in', value: [CUSTOMER_FIELDS[next]![0]] }
                  : { field: next, op: 'eq', value: '' },
              )
            }
            options={(Object.keys(CUSTOMER_FIELDS) as CustomerField[]).map((value) => ({
              value,
              label: t(`automation.customerFields.${value}`),
            }))}
            style={{ width: 120 }}
          />
          {choices ? (
            <>
              <Select
                value={inner.op}
                onChange={(next) => setInner({ op: next })}
                options={op(['in', 'not_in'])}
                style={{ width: 170 }}
              />
              <Select
                mode="multiple"
                value={(inner.value as string[]) ?? []}
                onChange={(value) => setInner({ value })}
                options={choices.map((value) => ({ value, label: translate(value) }))}
                style={wide}
              />
            </>
          ) : (
            <>
              <Select
                value={inner.op}
                onChange={(next) => setInner({ op: next })}
                options={op(['eq', 'neq', 'contains'])}
                style={{ width: 120 }}
              />
              <Input
                value={String(inner.value ?? '')}
                onChange={(event) => setInner({ value: event.target.value })}
                style={{ width: 180 }}
              />
            </>
          )}
        </Space>
      );
    }
    case 'order.status':
      return (
        <Space wrap>
          {operatorSelect(['in', 'not_in'], 170)}
          <Select
            mode="multiple"
            value={condition.value}
            onChange={(value) => set({ value })}
            options={(['pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded'] as const).map((value) => ({
              value,
              label: t(`automation.orderStatuses.${value}`),
            }))}
            style={wide}
          />
        </Space>
      );
    case 'order.amount_fen':
      return (
        <Space wrap>
          {operatorSelect(['gte', 'gt', 'lte', 'lt', 'eq'], 120)}
          <InputNumber
            min={0}
            precision={2}
            value={condition.value / 100}
            onChange={(value) => set({ value: Math.round((value ?? 0) * 100) })}
            addonAfter={t('automation.yuan')}
          />
        </Space>
      );
    case 'business_hours':
      return (
        <Select
          value={condition.value}
          onChange={(value) => set({ value })}
          options={op(['open', 'closed'], (value) => t(`automation.hours.${value as 'open'}`))}
          style={{ width: 180 }}
        />
      );
  }
}

type GroupProps = {
  group: AutomationConditionGroup;
  onChange: (next: AutomationConditionGroup) => void;
  depth?: number;
  onRemove?: () => void;
};

/** 如果…: an AND/OR group of conditions and nested groups (3 levels at most). */
export function ConditionGroupEditor({ group, onChange, depth = 1, onRemove }: GroupProps) {
  const { t } = useTranslation();
  const replace = (index: number, node: AutomationCondition | AutomationConditionGroup | null) => {
    const conditions = [...group.conditions];
    if (node) conditions[index] = node;
    else conditions.splice(index, 1);
    onChange({ ...group, conditions });
  };
  return (
    <div className={depth > 1 ? 'hk-automation-group hk-automation-group-nested' : 'hk-automation-group'}>
      <Space style={{ marginBottom: 8 }}>
        <Select
          size="small"
          value={group.op}
          onChange={(op) => onChange({ ...group, op })}
          options={[
            { value: 'and', label: t('automation.matchAll') },
            { value: 'or', label: t('automation.matchAny') },
          ]}
          style={{ width: 110 }}
          data-testid="condition-group-op"
        />
        {onRemove && (
          <Button
            size="small"
            type="text"
            icon={<DeleteOutlined />}
            onClick={onRemove}
            aria-label={t('automation.remove')}
          />
        )}
      </Space>
      {group.conditions.length === 0 && depth === 1 && (
        <Typography.Paragraph type="secondary">{t('automation.noConditions')}</Typography.Paragraph>
      )}
      {group.conditions.map((node, index) =>
        isAutomationGroup(node) ? (
          <ConditionGroupEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no ids; order is their identity
            key={index}
            group={node}
            depth={depth + 1}
            onChange={(next) => replace(index, next)}
            onRemove={() => replace(index, null)}
          />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no ids; order is their identity
          <div key={index} className="hk-automation-row">
            <Select<Field>
              value={node.field}
              onChange={(field) => replace(index, defaultCondition(field))}
              options={FIELDS.map((field) => ({ value: field, label: t(`automation.fields.${field}`) }))}
              style={{ width: 150 }}
              data-testid="condition-field"
            />
            <ConditionRow condition={node} onChange={(next) => replace(index, next)} />
            <Button
              type="text"
              icon={<DeleteOutlined />}
              onClick={() => replace(index, null)}
              aria-label={t('automation.remove')}
            />
          </div>
        ),
      )}
      <Space>
        <Button
          size="small"
          icon={<PlusOutlined />}
          onClick={() => onChange({ ...group, conditions: [...group.conditions, defaultCondition('message.content')] })}
          data-testid="add-condition"
        >
          {t('automation.addCondition')}
        </Button>
        {depth < 3 && (
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() => onChange({ ...group, conditions: [...group.conditions, { op: 'or', conditions: [] }] })}
          >
            {t('automation.addGroup')}
          </Button>
        )}
      </Space>
    </div>
  );
}
