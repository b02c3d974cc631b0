/**
 * What an export writes in words, per language (`locale` of the export request, the requester's UI language):
 * the built-in fields' headers and the labels of coded values. Custom fields are headed by their own label.
 * The web's export dialog names the same fields from its own dictionaries (`exports.fieldLabels`), by key.
 */
import type { ExportField, ExportLocale } from '@huike/contracts';

/** Built-in export fields in column order: key, PII (masked without customers:reveal_pii), picked by default. */
const builtInFields: [key: string, isPii: boolean, isDefault: boolean][] = [
  ['name', false, true],
  ['nickname', false, false],
  ['phone', true, true],
  ['phones', true, false],
  ['email', false, true],
  ['emails', false, false],
  ['gender', false, true],
  ['birthday', false, false],
  ['region', false, true],
  ['source', false, false],
  ['campaign', false, false],
  ['tags', false, true],
  ['lifecycleStage', false, true],
  ['rfmTier', false, false],
  ['orderCount', false, true],
  ['totalSpent', false, true],
  ['firstOrderAt', false, false],
  ['lastOrderAt', false, false],
  ['owner', false, false],
  ['notes', false, false],
  ['idCard', true, false],
  ['bankCard', true, false],
  ['createdAt', false, false],
  ['id', false, false],
];

type ExportText = {
  fields: Record<string, string>;
  genders: Record<string, string>;
  stages: Record<string, string>;
  tiers: Record<string, string>;
  /** The PDF's title and the file's name start with this. */
  title: string;
};

export const exportText: Record<ExportLocale, ExportText> = {
  'zh-CN': {
    fields: {
      name: '姓名',
      nickname: '昵称',
      phone: '手机号',
      phones: '其他手机号',
      email: '邮箱',
      emails: '其他邮箱',
      gender: '性别',
      birthday: '生日',
      region: '地区',
      source: '来源渠道',
      campaign: '来源活动',
      tags: '标签',
      lifecycleStage: '生命周期',
      rfmTier: 'RFM 分层',
      orderCount: '订单数',
      totalSpent: '累计消费（元）',
      firstOrderAt: '首次下单时间',
      lastOrderAt: '最近下单时间',
      owner: '负责人',
      notes: '备注',
      idCard: '身份证号',
      bankCard: '银行卡号',
      createdAt: '创建时间',
      id: '客户 ID',
    },
    genders: { male: '男', female: '女', unknown: '' },
    stages: { prospect: '潜在', new: '新客', active: '活跃', dormant: '沉睡', churned: '流失', returning: '回流' },
    tiers: { loyal: '高价值忠诚', potential: '潜力成长', new: '新客', winback: '沉睡唤醒', churned: '流失' },
    title: '客户导出',
  },
  en: {
    fields: {
      name: 'Name',
      nickname: 'Nickname',
      phone: 'Mobile',
      phones: 'Other phones',
      email: 'Email',
      emails: 'Other emails',
      gender: 'Gender',
      birthday: 'Birthday',
      region: 'Region',
      source: 'Source channel',
      campaign: 'Source campaign',
      tags: 'Tags',
      lifecycleStage: 'Lifecycle stage',
      rfmTier: 'RFM tier',
      orderCount: 'Orders',
      totalSpent: 'Total spent (CNY)',
      firstOrderAt: 'First order at',
      lastOrderAt: 'Last order at',
      owner: 'Owner',
      notes: 'Notes',
      idCard: 'ID card number',
      bankCard: 'Bank card number',
      createdAt: 'Created at',
      id: 'Customer ID',
    },
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

/** The built-in export fields, labelled in `locale`. */
export const builtInExportFields = (locale: ExportLocale): ExportField[] =>
  builtInFields.map(([key, isPii, isDefault]) => ({ key, label: exportText[locale].fields[key]!, isPii, isDefault }));
