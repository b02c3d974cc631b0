import {
  type CustomFieldDefinition,
  type SegmentCondition,
  type SegmentValueType,
  segmentChannelTypes,
  segmentEnumValues,
} from '@huike/contracts';
import { DatePicker, Input, InputNumber, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useUsers } from '../../identity/hooks/use-users.ts';
import { TagSelect } from './tag-select.tsx';

type Value = SegmentCondition['value'];
type Props = {
  condition: SegmentCondition;
  type: SegmentValueType;
  customField?: CustomFieldDefinition;
  /** The value is there but wrong (the row says why): the editor shows it in red. */
  isInvalid: boolean;
  onChange: (value: Value) => void;
};

const listOps = new Set(['in', 'not_in', 'has_any', 'has_all', 'has_none']);
const asList = (value: Value): (string | number)[] => (Array.isArray(value) ? value : []);
const dateFormat = 'YYYY-MM-DD';
const toDay = (value: unknown) => (typeof value === 'string' && value ? dayjs(value, dateFormat) : null);

/** Money is stored in fen and entered in yuan. */
const fenToYuan = (value: unknown) => (typeof value === 'number' ? value / 100 : null);
const yuanToFen = (value: number | null) => (value === null ? undefined : Math.round(value * 100));

/** The value editor that fits the condition's type and operator. */
export function ConditionValue({ condition, type, customField, isInvalid, onChange }: Props) {
  const { t } = useTranslation();
  const users = useUsers();
  const { op, value } = condition;
  const isMoney = condition.field === 'total_spent_fen';
  const status = isInvalid ? ('error' as const) : undefined;

  if (op === 'is_empty' || op === 'is_not_empty') return null;

  if (op === 'within_days' || op === 'older_than_days') {
    // No min/max here: a clamped input would show what was typed while the filter keeps the old value.
    return (
      <InputNumber
        precision={0}
        status={status}
        value={typeof value === 'number' ? value : null}
        onChange={(next) => onChange(next ?? undefined)}
        suffix={t('segments.days')}
        style={{ width: 140 }}
        placeholder="30"
        data-testid="condition-value"
      />
    );
  }

  if (type === 'tags') {
    return (
      <div style={{ minWidth: 240, flex: 1 }}>
        <TagSelect value={asList(value).map(String)} onChange={onChange} testId="condition-value" />
      </div>
    );
  }

  const enumOptions = (): { value: string; label: string }[] => {
    if (condition.field === 'gender' || condition.field === 'rfm_tier' || condition.field === 'lifecycle_stage') {
      const field = condition.field;
      return segmentEnumValues[field].map((option) => ({
        value: option,
        // The template key spans three enums; each pair exists in the dictionary.
        label: t(`segments.enums.${field}.${option}` as 'segments.enums.gender.male'),
      }));
    }
    if (condition.field === 'channel')
      return segmentChannelTypes.map((option) => ({ value: option, label: t(`channels.${option}`) }));
    if (type === 'user') return (users.data ?? []).map((user) => ({ value: user.id, label: user.name }));
    return (customField?.options ?? []).map((option) => ({ value: option, label: option }));
  };

  if (type === 'enum' || type === 'user' || type === 'channel' || type === 'multi_select') {
    const isList = listOps.has(op);
    return (
      <Select
        mode={isList ? 'multiple' : undefined}
        style={{ minWidth: 200, flex: 1 }}
        value={isList ? asList(value) : (value as string | undefined)}
        onChange={(next) => onChange(next as Value)}
        options={enumOptions()}
        placeholder={t('segments.pickValue')}
        showSearch={{ optionFilterProp: 'label' }}
        status={status}
        data-testid="condition-value"
      />
    );
  }

  if (type === 'date') {
    if (op === 'between') {
      const [from, to] = asList(value);
      return (
        <DatePicker.RangePicker
          value={[toDay(from), toDay(to)]}
          onChange={(range) =>
            onChange(range?.[0] && range[1] ? [range[0].format(dateFormat), range[1].format(dateFormat)] : undefined)
          }
          data-testid="condition-value"
        />
      );
    }
    return (
      <DatePicker
        value={toDay(value)}
        onChange={(day) => onChange(day ? day.format(dateFormat) : undefined)}
        data-testid="condition-value"
      />
    );
  }

  if (type === 'number') {
    const toShown = isMoney ? fenToYuan : (item: unknown) => (typeof item === 'number' ? item : null);
    const fromShown = isMoney ? yuanToFen : (item: number | null) => item ?? undefined;
    // No min either: a negative amount is shown as typed and flagged by the row instead.
    const props = {
      prefix: isMoney ? '¥' : undefined,
      precision: isMoney ? 2 : condition.field === 'order_count' ? 0 : undefined,
      status,
      style: { width: 150 },
    };
    if (op === 'between') {
      const [from, to] = asList(value);
      const set = (index: 0 | 1, next: number | null) => {
        const pair = [asList(value)[0], asList(value)[1]];
        pair[index] = fromShown(next);
        onChange(pair.every((item) => typeof item === 'number') ? (pair as number[]) : (pair as Value));
      };
      return (
        <Space size={4} data-testid="condition-value">
          <InputNumber {...props} value={toShown(from)} onChange={(next) => set(0, next)} />
          <span className="hk-muted">{t('segments.to')}</span>
          <InputNumber {...props} value={toShown(to)} onChange={(next) => set(1, next)} />
        </Space>
      );
    }
    if (listOps.has(op)) {
      return (
        <Select
          mode="tags"
          style={{ minWidth: 200, flex: 1 }}
          value={asList(value).map((item) => String(toShown(item) ?? item))}
          onChange={(items: string[]) =>
            onChange(
              items
                .map((item) => Number(item))
                .filter((item) => Number.isFinite(item))
                .map((item) => fromShown(item) as number),
            )
          }
          tokenSeparators={[',', '，', ' ']}
          placeholder={t('segments.typeValues')}
          status={status}
          data-testid="condition-value"
        />
      );
    }
    return (
      <InputNumber
        {...props}
        value={toShown(value)}
        onChange={(next) => onChange(fromShown(next))}
        data-testid="condition-value"
      />
    );
  }

  // text, product
  if (listOps.has(op)) {
    return (
      <Select
        mode="tags"
        style={{ minWidth: 200, flex: 1 }}
        value={asList(value).map(String)}
        onChange={(items: string[]) => onChange(items)}
        tokenSeparators={[',', '，']}
        placeholder={t('segments.typeValues')}
        open={false}
        data-testid="condition-value"
      />
    );
  }
  return (
    <Input
      style={{ width: 200 }}
      value={typeof value === 'string' ? value : ''}
      onChange={(event) => onChange(event.target.value || undefined)}
      placeholder={type === 'product' ? t('segments.productPlaceholder') : t('segments.textPlaceholder')}
      maxLength={200}
      data-testid="condition-value"
    />
  );
}
