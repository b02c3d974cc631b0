import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { type CustomerValueSettings, type RfmTier, rfmTiers, type TierRule } from '@huike/contracts';
import { Button, Card, Form, InputNumber, Select, Space, Typography } from 'antd';
import type { FormInstance } from 'antd/es/form';
import { useTranslation } from 'react-i18next';

/** The form holds money in yuan (people type 200, not 20000); it is sent as fen. */
export type ValueFormValues = Omit<CustomerValueSettings, 'rfm'> & {
  rfm: Omit<CustomerValueSettings['rfm'], 'monetaryFen'> & { monetaryYuan: number[] };
};

export function toFormValues(settings: CustomerValueSettings): ValueFormValues {
  const { monetaryFen, ...rfm } = settings.rfm;
  return { ...settings, rfm: { ...rfm, monetaryYuan: monetaryFen.map((fen) => fen / 100) } };
}

export function fromFormValues(values: ValueFormValues): CustomerValueSettings {
  const { monetaryYuan, ...rfm } = values.rfm;
  const rules = (values.rfm.tiers.rules ?? []).map((rule) => {
    const clean: TierRule = { tier: rule.tier };
    for (const key of ['r', 'f', 'm'] as const) {
      const range = rule[key];
      if (range && range[0] != null && range[1] != null) clean[key] = [range[0], range[1]];
    }
    return clean;
  });
  return {
    ...values,
    rfm: {
      ...rfm,
      tiers: { ...rfm.tiers, rules },
      monetaryFen: monetaryYuan.map((yuan) => Math.round(yuan * 100)) as CustomerValueSettings['rfm']['monetaryFen'],
    },
  };
}

const ascending = (message: string) => ({
  validator: async (_: unknown, value: number[] | undefined) => {
    if (!value || value.some((each) => typeof each !== 'number')) throw new Error(message);
    for (let index = 1; index < value.length; index += 1) {
      if ((value[index] as number) <= (value[index - 1] as number)) throw new Error(message);
    }
  },
});

function FourNumbers({
  name,
  labels,
  unit,
  min,
  step,
  disabled,
  message,
}: {
  name: (string | number)[];
  labels: string[];
  unit: string;
  min: number;
  step?: number;
  disabled: boolean;
  message: string;
}) {
  return (
    <Form.Item name={name} rules={[ascending(message)]} className="hk-value-row">
      <FourInputs labels={labels} unit={unit} min={min} step={step} disabled={disabled} />
    </Form.Item>
  );
}

function FourInputs({
  value,
  onChange,
  labels,
  unit,
  min,
  step,
  disabled,
}: {
  value?: number[];
  onChange?: (value: number[]) => void;
  labels: string[];
  unit: string;
  min: number;
  step?: number;
  disabled: boolean;
}) {
  const current = value ?? [];
  return (
    <Space wrap size={12}>
      {labels.map((label, index) => (
        <Space key={label} size={4}>
          <span className="hk-muted">{label}</span>
          <InputNumber
            size="small"
            min={min}
            step={step}
            disabled={disabled}
            value={current[index]}
            onChange={(next) => {
              const copy = [...current];
              copy[index] = typeof next === 'number' ? next : (undefined as unknown as number);
              onChange?.(copy);
            }}
            style={{ width: 110 }}
            suffix={unit}
          />
        </Space>
      ))}
    </Space>
  );
}

const scoreOptions = [1, 2, 3, 4, 5].map((value) => ({ value, label: String(value) }));

function RangePicker({
  value,
  onChange,
  disabled,
  anyLabel,
}: {
  value?: [number, number];
  onChange?: (value: [number, number] | undefined) => void;
  disabled: boolean;
  anyLabel: string;
}) {
  const [min, max] = value ?? [undefined, undefined];
  const set = (nextMin: number | undefined, nextMax: number | undefined) => {
    if (nextMin === undefined && nextMax === undefined) onChange?.(undefined);
    else onChange?.([nextMin ?? 1, nextMax ?? 5]);
  };
  return (
    <Space size={2}>
      <Select<number>
        size="small"
        allowClear
        disabled={disabled}
        placeholder={anyLabel}
        value={min}
        options={scoreOptions}
        onChange={(next) => set(next, next === undefined ? undefined : (max ?? 5))}
        style={{ width: 64 }}
      />
      <span className="hk-muted">–</span>
      <Select<number>
        size="small"
        allowClear
        disabled={disabled}
        placeholder={anyLabel}
        value={max}
        options={scoreOptions}
        onChange={(next) => set(next === undefined ? undefined : (min ?? 1), next)}
        style={{ width: 64 }}
      />
    </Space>
  );
}

/** RFM bins, tier rules (first match wins), lifecycle thresholds and stale-profile days. */
export function CustomerValueForm({
  form,
  disabled,
  onChange,
}: {
  form: FormInstance<ValueFormValues>;
  disabled: boolean;
  onChange: () => void;
}) {
  const { t } = useTranslation();
  const tierOptions = rfmTiers.map((value) => ({ value, label: t(`value.tiers.${value}`) }));
  return (
    <Form<ValueFormValues>
      form={form}
      layout="vertical"
      disabled={disabled}
      className="hk-value-form"
      onValuesChange={onChange}
    >
      <Card variant="borderless" className="hk-card" title={t('valueSettings.rfmTitle')} size="small">
        <Typography.Paragraph type="secondary">{t('valueSettings.rfmHelp')}</Typography.Paragraph>
        <div className="hk-field-label">{t('valueSettings.recency')}</div>
        <FourNumbers
          name={['rfm', 'recencyDays']}
          labels={['R5 ≤', 'R4 ≤', 'R3 ≤', 'R2 ≤']}
          unit={t('valueSettings.days')}
          min={1}
          disabled={disabled}
          message={t('valueSettings.ascending')}
        />
        <div className="hk-field-label">{t('valueSettings.frequency')}</div>
        <FourNumbers
          name={['rfm', 'frequencyOrders']}
          labels={['F2 ≥', 'F3 ≥', 'F4 ≥', 'F5 ≥']}
          unit={t('valueSettings.orders')}
          min={2}
          disabled={disabled}
          message={t('valueSettings.ascending')}
        />
        <div className="hk-field-label">{t('valueSettings.monetary')}</div>
        <FourNumbers
          name={['rfm', 'monetaryYuan']}
          labels={['M2 ≥', 'M3 ≥', 'M4 ≥', 'M5 ≥']}
          unit="¥"
          min={0.01}
          step={100}
          disabled={disabled}
          message={t('valueSettings.ascending')}
        />
      </Card>

      <Card variant="borderless" className="hk-card" title={t('valueSettings.tiersTitle')} size="small">
        <Typography.Paragraph type="secondary">{t('valueSettings.tiersHelp')}</Typography.Paragraph>
        <Form.List name={['rfm', 'tiers', 'rules']}>
          {(rows, { add, remove, move }) => (
            <div className="hk-tier-rules" data-testid="tier-rules">
              {rows.map((row, index) => (
                <div key={row.key} className="hk-tier-rule">
                  <span className="hk-muted hk-tier-rule-index">{index + 1}</span>
                  <Form.Item name={[row.name, 'tier']} noStyle>
                    <Select<RfmTier> size="small" options={tierOptions} style={{ width: 130 }} />
                  </Form.Item>
                  {(['r', 'f', 'm'] as const).map((key) => (
                    <Space key={key} size={4}>
                      <span className="hk-muted">{key.toUpperCase()}</span>
                      <Form.Item name={[row.name, key]} noStyle>
                        <RangePicker disabled={disabled} anyLabel={t('valueSettings.any')} />
                      </Form.Item>
                    </Space>
                  ))}
                  {!disabled && (
                    <Space size={0}>
                      <Button
                        type="text"
                        size="small"
                        icon={<ArrowUpOutlined />}
                        aria-label={t('fields.moveUp')}
                        disabled={index === 0}
                        onClick={() => move(index, index - 1)}
                      />
                      <Button
                        type="text"
                        size="small"
                        icon={<ArrowDownOutlined />}
                        aria-label={t('fields.moveDown')}
                        disabled={index === rows.length - 1}
                        onClick={() => move(index, index + 1)}
                      />
                      <Button
                        type="text"
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('valueSettings.removeRule')}
                        onClick={() => remove(row.name)}
                      />
                    </Space>
                  )}
                </div>
              ))}
              {!disabled && rows.length < 20 && (
                <Button
                  size="small"
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => add({ tier: 'potential' satisfies RfmTier })}
                  style={{ alignSelf: 'flex-start' }}
                >
                  {t('valueSettings.addRule')}
                </Button>
              )}
            </div>
          )}
        </Form.List>
        <Form.Item name={['rfm', 'tiers', 'otherwise']} label={t('valueSettings.otherwise')} style={{ marginTop: 12 }}>
          <Select<RfmTier> options={tierOptions} style={{ width: 160 }} />
        </Form.Item>
      </Card>

      <Card variant="borderless" className="hk-card" title={t('valueSettings.lifecycleTitle')} size="small">
        <Typography.Paragraph type="secondary">{t('valueSettings.lifecycleHelp')}</Typography.Paragraph>
        <Space wrap size={24}>
          <Form.Item
            name={['lifecycle', 'newDays']}
            label={t('valueSettings.newDays')}
            rules={[{ required: true, message: t('valueSettings.positive') }]}
          >
            <InputNumber min={1} max={3650} suffix={t('valueSettings.days')} />
          </Form.Item>
          <Form.Item
            name={['lifecycle', 'dormantDays']}
            label={t('valueSettings.dormantDays')}
            dependencies={[['lifecycle', 'newDays']]}
            rules={[
              { required: true, message: t('valueSettings.positive') },
              ({ getFieldValue }) => ({
                validator: async (_, value: number) => {
                  if (value < getFieldValue(['lifecycle', 'newDays']))
                    throw new Error(t('valueSettings.dormantAfterNew'));
                },
              }),
            ]}
          >
            <InputNumber min={1} max={3650} suffix={t('valueSettings.days')} />
          </Form.Item>
          <Form.Item
            name={['lifecycle', 'churnedDays']}
            label={t('valueSettings.churnedDays')}
            dependencies={[['lifecycle', 'dormantDays']]}
            rules={[
              { required: true, message: t('valueSettings.positive') },
              ({ getFieldValue }) => ({
                validator: async (_, value: number) => {
                  if (value <= getFieldValue(['lifecycle', 'dormantDays']))
                    throw new Error(t('valueSettings.churnedAfterDormant'));
                },
              }),
            ]}
          >
            <InputNumber min={1} max={3650} suffix={t('valueSettings.days')} />
          </Form.Item>
        </Space>
      </Card>

      <Card variant="borderless" className="hk-card" title={t('valueSettings.staleTitle')} size="small">
        <Typography.Paragraph type="secondary">{t('valueSettings.staleHelp')}</Typography.Paragraph>
        <Space wrap size={24}>
          <Form.Item
            name={['staleProfileDays', 'active']}
            label={t('valueSettings.staleActive')}
            rules={[{ required: true, message: t('valueSettings.positive') }]}
          >
            <InputNumber min={1} max={3650} suffix={t('valueSettings.days')} data-testid="stale-active" />
          </Form.Item>
          <Form.Item
            name={['staleProfileDays', 'others']}
            label={t('valueSettings.staleOthers')}
            rules={[{ required: true, message: t('valueSettings.positive') }]}
          >
            <InputNumber min={1} max={3650} suffix={t('valueSettings.days')} />
          </Form.Item>
        </Space>
      </Card>
    </Form>
  );
}
