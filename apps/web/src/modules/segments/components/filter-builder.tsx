import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import {
  type CustomFieldDefinition,
  isSegmentGroup,
  MAX_SEGMENT_DEPTH,
  type SegmentCondition,
  type SegmentFilter,
  type SegmentOperator,
  segmentOperatorsByType,
} from '@huike/contracts';
import { Button, Radio, Select, Space, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import {
  adaptValue,
  conditionProblem,
  fieldSections,
  fieldValueOf,
  newCondition,
  valueTypeOf,
} from '../filter-model.ts';
import { ConditionValue } from './condition-value.tsx';

type Props = {
  value: SegmentFilter;
  onChange: (filter: SegmentFilter) => void;
  customFields: CustomFieldDefinition[];
};

/** AND/OR groups of conditions, nestable up to the server's depth limit. */
export function FilterBuilder({ value, onChange, customFields }: Props) {
  return (
    <div className="hk-filter-builder" data-testid="filter-builder">
      <GroupEditor group={value} depth={1} onChange={onChange} customFields={customFields} />
    </div>
  );
}

type GroupProps = {
  group: SegmentFilter;
  depth: number;
  onChange: (group: SegmentFilter) => void;
  onRemove?: () => void;
  customFields: CustomFieldDefinition[];
};

function GroupEditor({ group, depth, onChange, onRemove, customFields }: GroupProps) {
  const { t } = useTranslation();
  const setNode = (index: number, node: SegmentCondition | SegmentFilter) =>
    onChange({ ...group, conditions: group.conditions.map((each, i) => (i === index ? node : each)) });
  const removeNode = (index: number) =>
    onChange({ ...group, conditions: group.conditions.filter((_, i) => i !== index) });
  const joiner = group.op === 'and' ? t('segments.and') : t('segments.or');

  return (
    <div className={`hk-filter-group hk-filter-depth-${depth}`} data-testid="filter-group" data-op={group.op}>
      <div className="hk-filter-group-head">
        <Space size={8}>
          <Typography.Text type="secondary">{t('segments.matchPrefix')}</Typography.Text>
          <Radio.Group
            size="small"
            optionType="button"
            buttonStyle="solid"
            value={group.op}
            onChange={(event) => onChange({ ...group, op: event.target.value as 'and' | 'or' })}
            options={[
              { value: 'and', label: t('segments.matchAll') },
              { value: 'or', label: t('segments.matchAny') },
            ]}
            data-testid="group-op"
          />
          <Typography.Text type="secondary">{t('segments.matchSuffix')}</Typography.Text>
        </Space>
        {onRemove && (
          <Tooltip title={t('segments.removeGroup')}>
            <Button
              type="text"
              size="small"
              icon={<DeleteOutlined />}
              onClick={onRemove}
              aria-label={t('segments.removeGroup')}
            />
          </Tooltip>
        )}
      </div>
      {group.conditions.length === 0 && (
        <div className="hk-muted hk-filter-empty">
          {depth === 1 ? t('segments.noConditions') : t('segments.emptyGroup')}
        </div>
      )}
      {group.conditions.map((node, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no ids; their position is their identity
        <div key={index} className="hk-filter-node">
          {index > 0 && <div className="hk-filter-joiner">{joiner}</div>}
          {isSegmentGroup(node) ? (
            <GroupEditor
              group={node}
              depth={depth + 1}
              onChange={(next) => setNode(index, next)}
              onRemove={() => removeNode(index)}
              customFields={customFields}
            />
          ) : (
            <ConditionRow
              condition={node}
              onChange={(next) => setNode(index, next)}
              onRemove={() => removeNode(index)}
              customFields={customFields}
            />
          )}
        </div>
      ))}
      <Space size={8} className="hk-filter-actions">
        <Button
          size="small"
          icon={<PlusOutlined />}
          onClick={() => onChange({ ...group, conditions: [...group.conditions, newCondition('tags', customFields)] })}
          data-testid="add-condition"
        >
          {t('segments.addCondition')}
        </Button>
        {depth < MAX_SEGMENT_DEPTH && (
          <Button
            size="small"
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() =>
              onChange({
                ...group,
                conditions: [
                  ...group.conditions,
                  { op: group.op === 'and' ? 'or' : 'and', conditions: [newCondition('tags', customFields)] },
                ],
              })
            }
            data-testid="add-group"
          >
            {t('segments.addGroup')}
          </Button>
        )}
      </Space>
    </div>
  );
}

type ConditionProps = {
  condition: SegmentCondition;
  onChange: (condition: SegmentCondition) => void;
  onRemove: () => void;
  customFields: CustomFieldDefinition[];
};

function ConditionRow({ condition, onChange, onRemove, customFields }: ConditionProps) {
  const { t } = useTranslation();
  const type = valueTypeOf(condition, customFields);
  const customField =
    condition.field === 'custom_field' ? customFields.find((field) => field.key === condition.key) : undefined;
  const problem = conditionProblem(condition, customFields);

  const fieldOptions = fieldSections
    .map((section) => ({
      label: t(`segments.sections.${section.key}`),
      title: section.key,
      options:
        section.key === 'custom'
          ? customFields
              .filter((field) => !field.archived || field.key === condition.key)
              .map((field) => ({ value: `custom:${field.key}`, label: field.label }))
          : section.fields.map((field) => ({ value: field, label: t(`segments.fields.${field}`) })),
    }))
    .filter((section) => section.options.length > 0);

  const operatorLabel = (op: SegmentOperator) => {
    if (type === 'date' && ['eq', 'gt', 'gte', 'lt', 'lte'].includes(op))
      return t(`segments.dateOperators.${op as 'eq' | 'gt' | 'gte' | 'lt' | 'lte'}`);
    if (type === 'tags') return t(`segments.tagOperators.${op as 'has_any' | 'has_all' | 'has_none'}`);
    return t(`segments.operators.${op}`);
  };

  return (
    <div className="hk-filter-condition" data-testid="filter-condition" data-field={fieldValueOf(condition)}>
      <Select
        style={{ width: 160 }}
        value={fieldValueOf(condition)}
        status={problem === 'unknownField' ? 'error' : undefined}
        onChange={(field: string) => onChange(newCondition(field, customFields))}
        options={fieldOptions}
        showSearch={{ optionFilterProp: 'label' }}
        popupMatchSelectWidth={false}
        data-testid="condition-field"
      />
      <Select<SegmentOperator>
        style={{ width: 140 }}
        value={condition.op}
        onChange={(op) => onChange({ ...condition, op, value: adaptValue(condition, op) })}
        options={segmentOperatorsByType[type].map((op) => ({ value: op, label: operatorLabel(op) }))}
        popupMatchSelectWidth={false}
        data-testid="condition-op"
      />
      <ConditionValue
        condition={condition}
        type={type}
        customField={customField}
        isInvalid={Boolean(problem && problem !== 'incomplete' && problem !== 'unknownField')}
        onChange={(value) => onChange({ ...condition, value })}
      />
      {problem && (
        <Typography.Text
          type={problem === 'incomplete' ? 'warning' : 'danger'}
          className="hk-filter-hint"
          data-testid="condition-problem"
        >
          {t(`segments.${problem}`)}
        </Typography.Text>
      )}
      <Tooltip title={t('segments.removeCondition')}>
        <Button
          type="text"
          size="small"
          icon={<DeleteOutlined />}
          onClick={onRemove}
          aria-label={t('segments.removeCondition')}
          className="hk-filter-remove"
        />
      </Tooltip>
    </div>
  );
}
