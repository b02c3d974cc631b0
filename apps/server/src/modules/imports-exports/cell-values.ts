import {
  emailAddress,
  type ImportCellError,
  type ImportCellErrorCode,
  importIssueText,
  instantOfWallClock,
  normalizePhone,
  type OrderPlatform,
  type OrderStatus,
} from '@huike/contracts';
import { normalizeText } from '../../platform/text/index.ts';
import type { Cell } from './spreadsheet-reader.ts';
import { cellText } from './spreadsheet-reader.ts';

/**
 * Cells that could not be read as their fields: the row is rejected with these reasons, each a code and its values
 * (importIssueTexts in @huike/contracts words them in the reader's language) and the Chinese sentence.
 * `message` is the sentences joined with 「；」.
 */
export class CellError extends Error {
  readonly issues: ImportCellError[];
  constructor(issues: ImportCellError | ImportCellError[]) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map((issue) => issue.reason).join('；'));
    this.issues = list;
  }
}

/** One bad cell: `code` (importCellErrorCodes) and its values, with its Chinese sentence from the shared wording. */
export const cellIssue = (code: ImportCellErrorCode, params: ImportCellError['params']): ImportCellError => ({
  code,
  params,
  reason: importIssueText({ code, params }, 'zh-CN')!,
});

export const cellError = (code: ImportCellErrorCode, params: ImportCellError['params']) =>
  new CellError(cellIssue(code, params));

/**
 * Reads a row's cells one by one, keeping every bad cell's reasons instead of stopping at the first: `read` answers
 * null for a bad cell, `add` records a reason of the row itself, `done` throws them all (if any).
 */
export class CellIssues {
  private issues: ImportCellError[] | null = null;

  get count(): number {
    return this.issues?.length ?? 0;
  }

  read<T>(parse: () => T): T | null {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      this.add(error);
      return null;
    }
  }

  add(error: CellError): void {
    if (this.issues) this.issues.push(...error.issues);
    else this.issues = [...error.issues];
  }

  done(): void {
    if (this.issues) throw new CellError(this.issues);
  }
}

/**
 * Seller tools and Excel keep long numbers as text with a leading apostrophe (`'13900001111`; a leading tab is
 * trimmed with the cell's white space). The reader drops the apostrophe only before = + - @ (the formula guard of
 * exports, spreadsheet-reader.ts), so a phone drops it here: it is never part of a number.
 */
export function parsePhone(cell: Cell | undefined): string | null {
  const text = cellText(cell);
  if (!text) return null;
  const phone = normalizePhone(typeof cell === 'number' ? String(cell) : text.replace(/^'\s*/, ''));
  if (!phone) throw cellError('import.phone_invalid', { value: text });
  return phone;
}

/** Read like the API reads one (contracts' emailAddress: full-width and 。 normalised first), then lower-cased whole. */
export function parseEmail(cell: Cell | undefined): string | null {
  const text = cellText(cell);
  if (!text) return null;
  const parsed = emailAddress.safeParse(text);
  if (!parsed.success) throw cellError('import.email_invalid', { value: text });
  // The import matches existing customers by this lower-cased form (customer-import.ts).
  return parsed.data.toLowerCase();
}

const GENDERS: Record<string, 'male' | 'female' | 'unknown'> = {
  男: 'male',
  男性: 'male',
  先生: 'male',
  m: 'male',
  male: 'male',
  女: 'female',
  女性: 'female',
  女士: 'female',
  f: 'female',
  female: 'female',
  未知: 'unknown',
  保密: 'unknown',
  unknown: 'unknown',
};

export function parseGender(cell: Cell | undefined): 'male' | 'female' | 'unknown' | null {
  const text = cellText(cell).toLowerCase();
  if (!text) return null;
  const gender = GENDERS[text];
  if (!gender) throw cellError('import.gender_invalid', { value: cellText(cell) });
  return gender;
}

// Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

function isoDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * Which field a cell is read as, for its reasons: `field` the import field key (`custom:<key>` for a custom field),
 * `label` its Chinese name (a built-in field is worded by its name in importFieldLabels; a custom field by `label`).
 */
export type CellField = { field: string; label: string };

/**
 * YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日 (full-width digits too: ２０２４年１月５日), an XLSX date cell or
 * Excel serial number → YYYY-MM-DD.
 */
export function parseDate(
  cell: Cell | undefined,
  { fromXlsx, field = { field: 'birthday', label: '生日' } }: { fromXlsx: boolean; field?: CellField },
): string | null {
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (fromXlsx && typeof cell === 'number' && cell > 0 && cell < 2_958_466) {
    return new Date(EXCEL_EPOCH_MS + Math.floor(cell) * DAY_MS).toISOString().slice(0, 10);
  }
  const text = cellText(cell);
  if (!text) return null;
  // NFKC, as phones are read (normalizePhone): full-width digits and ／．－ become ASCII.
  const match = /^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?)$/.exec(text.normalize('NFKC'));
  const date = match && isoDate(Number(match[1]), Number(match[2] ?? match[4]), Number(match[3] ?? match[5]));
  if (!date) throw cellError('import.date_invalid', { ...field, value: text });
  return date;
}

/**
 * A date-time for order times: the date forms above plus a time (`2024-05-01 10:30[:00]`), read in the
 * workspace's zone unless it carries its own offset → ISO 8601 UTC.
 */
/** How to read a file's cells: XLSX serial numbers are dates there; times without an offset are in `timeZone`. */
export type CellReading = { fromXlsx: boolean; timeZone: string };

export function parseDateTime(
  cell: Cell | undefined,
  { fromXlsx, timeZone }: CellReading,
  field: CellField,
): string | null {
  const inZone = (wallClock: number) => new Date(instantOfWallClock(wallClock, timeZone)).toISOString();
  // Excel stores wall-clock time without a zone; exceljs reads it as UTC.
  if (cell instanceof Date) return inZone(cell.getTime());
  if (fromXlsx && typeof cell === 'number' && cell > 0 && cell < 2_958_466) {
    return inZone(EXCEL_EPOCH_MS + Math.round(cell * DAY_MS));
  }
  const text = cellText(cell);
  if (!text) return null;
  const halfWidth = text.normalize('NFKC');
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(halfWidth);
  if (match) {
    const day = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
    const [hours, minutes, seconds] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
    if (day && hours < 24 && minutes < 60 && seconds < 60) {
      return inZone(Date.parse(`${day}T00:00:00Z`) + ((hours * 60 + minutes) * 60 + seconds) * 1000);
    }
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(halfWidth) && !Number.isNaN(Date.parse(halfWidth)))
    return new Date(halfWidth).toISOString();
  throw cellError('import.datetime_invalid', { ...field, value: text });
}

/** Yuan with up to two decimals (`¥1,299.00`, `1299`) → fen. */
export function parseYuan(cell: Cell | undefined, field: CellField): number | null {
  const invalid = (value: string) => cellError('import.amount_invalid', { ...field, value });
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell) || cell < 0) throw invalid(String(cell));
    return Math.round(cell * 100);
  }
  const text = cellText(cell).replace(/[¥￥,，\s元]/g, '');
  if (!text) return null;
  const match = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw invalid(cellText(cell));
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export function parseInteger(cell: Cell | undefined, field: CellField, { min, max }: { min: number; max: number }) {
  const text = cellText(cell);
  if (!text) return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw cellError('import.integer_invalid', { ...field, value: text, min, max });
  return value;
}

/**
 * A word as seller tools write it → the form the tables below are keyed by: full-width letters, digits and
 * punctuation made half-width (NFKC: 「（」→「(」,「，」→「,」), traditional characters simplified (a shop in 台湾 or
 * 香港, or a sheet passed through a converter), lower case, white space dropped.
 */
export const normalizeWord = (text: string): string => normalizeText(text).replace(/\s+/g, '');

const PLATFORMS: Record<string, OrderPlatform> = {
  taobao: 'taobao',
  淘宝: 'taobao',
  tmall: 'tmall',
  天猫: 'tmall',
  jd: 'jd',
  京东: 'jd',
  douyin: 'douyin',
  抖音: 'douyin',
  抖店: 'douyin',
  pdd: 'pdd',
  拼多多: 'pdd',
  website: 'website',
  官网: 'website',
  独立站: 'website',
  商城: 'website',
  other: 'other',
  其他: 'other',
};

export function parsePlatform(cell: Cell | undefined): OrderPlatform | null {
  const text = cellText(cell);
  if (!text) return null;
  const platform = PLATFORMS[normalizeWord(text)];
  if (!platform) throw cellError('import.platform_unknown', { value: text });
  return platform;
}

/**
 * A state beside the order's lifecycle (售后中, 退款中, 锁定, 暂停): the order's times decide its status (completed,
 * shipped or paid), paid when it has none: such an order was paid, and nothing says it was refunded yet.
 */
export const BY_ORDER_TIMES = 'by_times';

/**
 * Order states as seller tools export them (normalizeWord'ed), with our own keys and labels: 千牛 / 淘宝 / 天猫
 * 「订单状态」 (and the API's TRADE_* names), 京东商家后台, 抖店, 拼多多 and the short forms people type.
 */
const STATUSES: Record<string, OrderStatus | typeof BY_ORDER_TIMES> = {
  // Not paid yet.
  pending: 'pending',
  待付款: 'pending',
  待支付: 'pending',
  未付款: 'pending',
  未支付: 'pending',
  等待付款: 'pending',
  等待买家付款: 'pending',
  等待付款确认: 'pending',
  付款确认中: 'pending',
  国际信用卡支付付款确认中: 'pending',
  没有创建支付宝交易: 'pending',
  '没有创建外部交易(支付宝交易)': 'pending',
  定金已付: 'pending',
  '定金已付,等待付尾款': 'pending',
  待付尾款: 'pending',
  等待买家付尾款: 'pending',
  wait_buyer_pay: 'pending',
  trade_no_create_pay: 'pending',
  pay_pending: 'pending',
  wait_pre_auth_confirm: 'pending',
  // Paid, not shipped.
  paid: 'paid',
  已付款: 'paid',
  已支付: 'paid',
  待发货: 'paid',
  买家已付款: 'paid',
  等待卖家发货: 'paid',
  '买家已付款,等待卖家发货': 'paid',
  '等待卖家发货,即:买家已付款': 'paid',
  等待发货: 'paid',
  等待出库: 'paid',
  待出库: 'paid',
  等待打印: 'paid',
  备货中: 'paid',
  已付款待发货: 'paid',
  待成团: 'paid',
  拼团中: 'paid',
  wait_seller_send_goods: 'paid',
  wait_seller_stock_out: 'paid',
  wait_seller_delivery: 'paid',
  paid_forbid_consign: 'paid',
  // On its way.
  shipped: 'shipped',
  已发货: 'shipped',
  待收货: 'shipped',
  卖家已发货: 'shipped',
  '卖家已发货,等待买家确认': 'shipped',
  '等待买家确认收货,即:卖家已发货': 'shipped',
  等待买家确认: 'shipped',
  等待买家确认收货: 'shipped',
  等待确认收货: 'shipped',
  等待收货: 'shipped',
  卖家部分发货: 'shipped',
  部分发货: 'shipped',
  已出库: 'shipped',
  已揽收: 'shipped',
  运输中: 'shipped',
  配送中: 'shipped',
  待签收: 'shipped',
  wait_buyer_confirm_goods: 'shipped',
  seller_consigned_part: 'shipped',
  wait_goods_receive_confirm: 'shipped',
  // Done.
  completed: 'completed',
  finished: 'completed',
  已完成: 'completed',
  完成: 'completed',
  订单完成: 'completed',
  交易成功: 'completed',
  交易完成: 'completed',
  已签收: 'completed',
  买家已签收: 'completed',
  '买家已签收,货到付款专用': 'completed',
  已收货: 'completed',
  确认收货: 'completed',
  已确认收货: 'completed',
  trade_finished: 'completed',
  trade_buyer_signed: 'completed',
  finished_l: 'completed',
  // Closed before it was paid, or cancelled.
  cancelled: 'cancelled',
  canceled: 'cancelled',
  closed: 'cancelled',
  已取消: 'cancelled',
  取消: 'cancelled',
  订单取消: 'cancelled',
  订单已取消: 'cancelled',
  交易取消: 'cancelled',
  交易关闭: 'cancelled',
  已关闭: 'cancelled',
  订单关闭: 'cancelled',
  订单已关闭: 'cancelled',
  '付款以前,卖家或买家主动关闭交易': 'cancelled',
  trade_closed_by_taobao: 'cancelled',
  trade_canceled: 'cancelled',
  // Money back (Taobao's TRADE_CLOSED is 「付款以后用户退款成功，交易自动关闭」).
  refunded: 'refunded',
  已退款: 'refunded',
  退款成功: 'refunded',
  退款完成: 'refunded',
  全额退款: 'refunded',
  已全额退款: 'refunded',
  '交易关闭(退款)': 'refunded',
  '交易关闭(已退款)': 'refunded',
  '交易关闭(退款成功)': 'refunded',
  '付款以后用户退款成功,交易自动关闭': 'refunded',
  退货完成: 'refunded',
  已退货: 'refunded',
  配送退货: 'refunded',
  trade_closed: 'refunded',
  // Beside the lifecycle.
  售后中: BY_ORDER_TIMES,
  售后处理中: BY_ORDER_TIMES,
  退款中: BY_ORDER_TIMES,
  退款申请中: BY_ORDER_TIMES,
  锁定: BY_ORDER_TIMES,
  已锁定: BY_ORDER_TIMES,
  暂停: BY_ORDER_TIMES,
  locked: BY_ORDER_TIMES,
  pause: BY_ORDER_TIMES,
  pop_order_pause: BY_ORDER_TIMES,
};

const statusOf = (word: string) => (Object.hasOwn(STATUSES, word) ? STATUSES[word] : undefined);

/**
 * An order's status from its 订单状态 cell: the whole text, else without a trailing remark in brackets
 * (「等待买家付款（定金）」), else its first part (before , ; : / or a bracket) that names a state.
 * BY_ORDER_TIMES: the caller decides from the order's times.
 */
export function parseOrderStatus(cell: Cell | undefined): OrderStatus | typeof BY_ORDER_TIMES | null {
  const text = cellText(cell);
  if (!text) return null;
  const word = normalizeWord(text);
  const status =
    statusOf(word) ??
    statusOf(word.replace(/[([【][^)\]】]*[)\]】]$/, '')) ??
    word
      .split(/[,;:/()[\]【】、]/)
      .map(statusOf)
      .find(Boolean);
  if (!status) throw cellError('import.status_unknown', { value: text });
  return status;
}

/** Plain text, limited in length. */
export function parseText(cell: Cell | undefined, field: CellField, max: number): string | null {
  const text = cellText(cell);
  if (!text) return null;
  if (text.length > max) throw cellError('import.text_too_long', { ...field, max });
  return text;
}

/** Tag names separated by , ， ; ； | 、 or line breaks. */
export const splitTagNames = (cell: Cell | undefined): string[] => [
  ...new Set(
    cellText(cell)
      .split(/[,，;；|、\n]/)
      .map((name) => name.trim())
      .filter(Boolean),
  ),
];
