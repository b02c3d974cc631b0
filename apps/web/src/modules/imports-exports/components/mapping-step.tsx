import {
  customerImportFields,
  type ImportKind,
  type ImportMapping,
  type ImportUploadResponse,
  importFieldLabel,
  type OrderPlatform,
  orderImportFields,
  orderPlatforms,
} from '@huike/contracts';
import { Alert, Select, Space, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ImportFieldOption } from '../api/imports-exports-api.ts';
import { useImportFields } from '../hooks/use-imports.ts';

type Props = {
  kind: ImportKind;
  upload: ImportUploadResponse;
  mapping: ImportMapping;
  onChange: (mapping: ImportMapping) => void;
  defaultPlatform: OrderPlatform | undefined;
  onDefaultPlatform: (platform: OrderPlatform) => void;
};

type Row = { column: string; index: number; samples: string[] };

/**
 * The fields a column can go to: from the server (incl. custom fields), else the built-in list; built-in fields
 * named in the UI language, custom fields by the label their admin gave.
 */
export function useTargetFields(kind: ImportKind): ImportFieldOption[] {
  const { i18n } = useTranslation();
  const fields = useImportFields(kind);
  const locale = i18n.language === 'en' ? 'en' : 'zh-CN';
  return useMemo(() => {
    const items =
      fields.data?.items ??
      (kind === 'customers' ? customerImportFields : orderImportFields).map((key) => ({
        key,
        label: key,
        required: false,
      }));
    return items.map((field) => ({ ...field, label: importFieldLabel(field.key, locale) ?? field.label }));
  }, [fields.data, kind, locale]);
}

/**
 * Whether the file needs a platform of its own: no column holds 平台, and its orders (or its customers' buyer ids)
 * need one. Seller tools export one platform per file, without that column.
 */
export const needsDefaultPlatform = (kind: ImportKind, mapping: ImportMapping): boolean => {
  const targets = Object.values(mapping);
  return !targets.includes('platform') && (kind === 'orders' || targets.includes('buyerId'));
};

/** Problems that stop the dry run: a field mapped twice, or a required field not mapped (nor given for the file). */
export function mappingProblems(mapping: ImportMapping, fields: ImportFieldOption[], defaultPlatform?: OrderPlatform) {
  const counts = new Map<string, number>();
  for (const target of Object.values(mapping)) if (target) counts.set(target, (counts.get(target) ?? 0) + 1);
  if (defaultPlatform) counts.set('platform', counts.get('platform') ?? 1);
  const label = (key: string) => fields.find((field) => field.key === key)?.label ?? key;
  return {
    duplicated: [...counts].filter(([, count]) => count > 1).map(([key]) => label(key)),
    missing: fields.filter((field) => field.required && !counts.has(field.key)).map((field) => field.label),
    mappedCount: Object.values(mapping).filter(Boolean).length,
  };
}

/** Step 2: each column of the file → a field (suggested by the server, editable), with sample values. */
export function MappingStep({ kind, upload, mapping, onChange, defaultPlatform, onDefaultPlatform }: Props) {
  const { t } = useTranslation();
  const fields = useTargetFields(kind);
  const problems = mappingProblems(mapping, fields, defaultPlatform);
  const rows: Row[] = upload.columns.map((column, index) => ({
    column,
    index,
    samples: upload.sampleRows.map((row) => row[index] ?? '').filter((value) => value.trim() !== ''),
  }));
  const options = [
    { value: '', label: <span className="hk-muted">{t('imports.skipColumn')}</span> },
    ...fields.map((field) => ({
      value: field.key,
      label: field.required ? `${field.label} *` : field.label,
    })),
  ];

  const columns: TableColumnsType<Row> = [
    {
      key: 'column',
      title: t('imports.fileColumn'),
      width: 200,
      render: (_, row) => <Typography.Text strong>{row.column || t('imports.untitledColumn')}</Typography.Text>,
    },
    {
      key: 'samples',
      title: t('imports.sampleValues'),
      ellipsis: true,
      render: (_, row) =>
        row.samples.length ? (
          <span className="hk-import-samples">
            {row.samples.slice(0, 3).map((sample, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: samples may repeat; their order is fixed
              <Tag key={index} variant="filled">
                {sample}
              </Tag>
            ))}
          </span>
        ) : (
          <span className="hk-muted">{t('imports.noSamples')}</span>
        ),
    },
    {
      key: 'target',
      title: t('imports.targetField'),
      width: 240,
      render: (_, row) => (
        <Select
          style={{ width: '100%' }}
          showSearch={{ optionFilterProp: 'label' }}
          value={mapping[row.column] ?? ''}
          options={options}
          onChange={(value: string) => onChange({ ...mapping, [row.column]: value || null })}
          data-testid="import-mapping-select"
          data-column={row.column}
        />
      ),
    },
  ];

  return (
    <div>
      <Typography.Paragraph type="secondary">
        {t('imports.mappingHelp', { file: upload.filename, encoding: upload.encoding.toUpperCase() })}
      </Typography.Paragraph>
      {needsDefaultPlatform(kind, mapping) && (
        <Space wrap style={{ marginBottom: 12 }}>
          <Typography.Text strong>{t('imports.platform')}</Typography.Text>
          <Select<OrderPlatform>
            style={{ width: 160 }}
            placeholder={t('imports.platformPlaceholder')}
            status={defaultPlatform ? undefined : 'warning'}
            value={defaultPlatform}
            options={orderPlatforms.map((platform) => ({ value: platform, label: t(`orders.platforms.${platform}`) }))}
            onChange={onDefaultPlatform}
            data-testid="import-default-platform"
          />
          <Typography.Text type="secondary">
            {kind === 'orders' ? t('imports.platformHelp') : t('imports.platformHelpCustomers')}
          </Typography.Text>
        </Space>
      )}
      {problems.duplicated.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('imports.mappedTwice', { fields: problems.duplicated.join('、') })}
        />
      )}
      {problems.missing.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('imports.requiredMissing', { fields: problems.missing.join('、') })}
        />
      )}
      <Table<Row>
        rowKey="index"
        size="small"
        columns={columns}
        dataSource={rows}
        pagination={false}
        data-testid="import-mapping"
      />
    </div>
  );
}
