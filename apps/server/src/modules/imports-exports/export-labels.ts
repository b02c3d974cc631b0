/**
 * What an export writes in words, per language (`locale` of the export request, the requester's UI language):
 * the built-in fields' headers (`exportFieldLabels` in packages/contracts, which the web's export dialog names
 * them by too) and the labels of coded values (lifecycle stages and RFM tiers: `lifecycleStageLabels` and
 * `rfmTierLabels` in packages/contracts, shared with the web app). Custom fields are headed by their own label.
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
  /** The PDF's title and the file's name start with this. */
  title: string;
  /** Under a PDF in which some characters were drawn as □ (the embedded font lacks them). */
  pdfMissingGlyphs: string;
};

export const exportText: Record<ExportLocale, ExportText> = {
  'zh-CN': {
    genders: { male: '男', female: '女', unknown: '' },
    title: '客户导出',
    pdfMissingGlyphs: '注：部分字符（如生僻字、表情）无法在 PDF 中显示，已用 □ 代替，完整内容请导出 CSV 或 Excel',
  },
  en: {
    genders: { male: 'Male', female: 'Female', unknown: '' },
    title: 'Customers export',
    pdfMissingGlyphs:
      'Note: some characters (such as rare Chinese characters and emoji) cannot be shown in a PDF and appear as □. Export CSV or Excel for the full text.',
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

/** The rejected-rows report's own columns (after the file's) and its file name's ending, per language. */
export const rejectedReportText: Record<ExportLocale, { row: string; reason: string; fileSuffix: string }> = {
  'zh-CN': { row: '行号', reason: '原因', fileSuffix: '未导入的行' },
  en: { row: 'Row', reason: 'Reason', fileSuffix: 'rejected-rows' },
};
