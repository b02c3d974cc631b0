/**
 * What an export writes in words, per language (`locale` of the export request, the requester's UI language):
 * the built-in fields' headers (`exportFieldLabels` in packages/contracts, which the web's export dialog names
 * them by too) and the labels of coded values. Custom fields are headed by their own label.
 */
import {
  type BuiltInExportFieldKey,
  builtInExportFieldKeys,
  type ExportField,
  type ExportLocale,
  exportFieldLabels,
} from '@huike/contracts';

/** PII: masked without customers:reveal_pii. */
const PII_FIELDS = new Set<BuiltInExportFieldKey>(['phone', 'phones', 'idCard', 'bankCard']);
/** Picked in the export dialog until the user changes the choice. */
const DEFAULT_FIELDS = new Set<BuiltInExportFieldKey>([
  'name',
  'phone',
  'email',
  'gender',
  'region',
  'tags',
  'lifecycleStage',
  'orderCount',
  'totalSpent',
]);

type ExportText = {
  genders: Record<string, string>;
  stages: Record<string, string>;
  tiers: Record<string, string>;
  /** The PDF's title and the file's name start with this. */
  title: string;
};

export const exportText: Record<ExportLocale, ExportText> = {
  'zh-CN': {
    genders: { male: '男', female: '女', unknown: '' },
    stages: { prospect: '潜在', new: '新客', active: '活跃', dormant: '沉睡', churned: '流失', returning: '回流' },
    tiers: { loyal: '高价值忠诚', potential: '潜力成长', new: '新客', winback: '沉睡唤醒', churned: '流失' },
    title: '客户导出',
  },
  en: {
    genders: { male: 'Male', female: 'Female', unknown: '' },
    stages: {
      prospect: 'Prospect',
      new: 'New',
      active: 'Active',
      dormant: 'Dormant',
      churned: 'Churned',
      returning: 'Returning',
    },
    tiers: { loyal: 'Loyal', potential: 'Potential', new: 'New', winback: 'Win back', churned: 'Churned' },
    title: 'Customers export',
  },
};

/** The built-in export fields in column order, labelled in `locale`. */
export const builtInExportFields = (locale: ExportLocale): ExportField[] =>
  builtInExportFieldKeys.map((key) => ({
    key,
    label: exportFieldLabels[locale][key],
    isPii: PII_FIELDS.has(key),
    isDefault: DEFAULT_FIELDS.has(key),
  }));
