import {
  emailAddress,
  instantOfWallClock,
  normalizePhone,
  type OrderPlatform,
  type OrderStatus,
} from '@huike/contracts';
import type { Cell } from './spreadsheet-reader.ts';
import { cellText } from './spreadsheet-reader.ts';

/** A cell that could not be read as its field: the row is rejected with this reason. */
export class CellError extends Error {}

/**
 * Seller tools and Excel keep long numbers as text with a leading apostrophe (`'13900001111`; a leading tab is
 * trimmed with the cell's white space). The reader drops the apostrophe only before = + - @ (the formula guard of
 * exports, spreadsheet-reader.ts), so a phone drops it here: it is never part of a number.
 */
export function parsePhone(cell: Cell | undefined): string | null {
  const text = cellText(cell);
  if (!text) return null;
  const phone = normalizePhone(typeof cell === 'number' ? String(cell) : text.replace(/^'\s*/, ''));
  if (!phone) throw new CellError(`手机号格式不正确：${text}`);
  return phone;
}

/** Read like the API reads one (contracts' emailAddress: full-width and 。 normalised first), then lower-cased whole. */
export function parseEmail(cell: Cell | undefined): string | null {
  const text = cellText(cell);
  if (!text) return null;
  const parsed = emailAddress.safeParse(text);
  if (!parsed.success) throw new CellError(`邮箱格式不正确：${text}`);
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
  if (!gender) throw new CellError(`性别只能是 男 / 女 / 未知：${cellText(cell)}`);
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

/** YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日, an XLSX date cell or Excel serial number → YYYY-MM-DD. */
export function parseDate(cell: Cell | undefined, { fromXlsx }: { fromXlsx: boolean }): string | null {
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (fromXlsx && typeof cell === 'number' && cell > 0 && cell < 2_958_466) {
    return new Date(EXCEL_EPOCH_MS + Math.floor(cell) * DAY_MS).toISOString().slice(0, 10);
  }
  const text = cellText(cell);
  if (!text) return null;
  const match = /^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?)$/.exec(text);
  const date = match && isoDate(Number(match[1]), Number(match[2] ?? match[4]), Number(match[3] ?? match[5]));
  if (!date) throw new CellError(`日期格式不正确（应为 YYYY-MM-DD 或 YYYY/MM/DD）：${text}`);
  return date;
}

/**
 * A date-time for order times: the date forms above plus a time (`2024-05-01 10:30[:00]`), read in the
 * workspace's zone unless it carries its own offset → ISO 8601 UTC.
 */
/** How to read a file's cells: XLSX serial numbers are dates there; times without an offset are in `timeZone`. */
export type CellReading = { fromXlsx: boolean; timeZone: string };

export function parseDateTime(cell: Cell | undefined, { fromXlsx, timeZone }: CellReading): string | null {
  const inZone = (wallClock: number) => new Date(instantOfWallClock(wallClock, timeZone)).toISOString();
  // Excel stores wall-clock time without a zone; exceljs reads it as UTC.
  if (cell instanceof Date) return inZone(cell.getTime());
  if (fromXlsx && typeof cell === 'number' && cell > 0 && cell < 2_958_466) {
    return inZone(EXCEL_EPOCH_MS + Math.round(cell * DAY_MS));
  }
  const text = cellText(cell);
  if (!text) return null;
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (match) {
    const day = isoDate(Number(match[1]), Number(match[2]), Number(match[3]));
    const [hours, minutes, seconds] = [Number(match[4] ?? 0), Number(match[5] ?? 0), Number(match[6] ?? 0)];
    if (day && hours < 24 && minutes < 60 && seconds < 60) {
      return inZone(Date.parse(`${day}T00:00:00Z`) + ((hours * 60 + minutes) * 60 + seconds) * 1000);
    }
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(text) && !Number.isNaN(Date.parse(text)))
    return new Date(text).toISOString();
  throw new CellError(`时间格式不正确（应为 YYYY-MM-DD HH:mm:ss）：${text}`);
}

/** Yuan with up to two decimals (`¥1,299.00`, `1299`) → fen. */
export function parseYuan(cell: Cell | undefined, label: string): number | null {
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell) || cell < 0) throw new CellError(`${label}不正确：${cell}`);
    return Math.round(cell * 100);
  }
  const text = cellText(cell).replace(/[¥￥,，\s元]/g, '');
  if (!text) return null;
  const match = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new CellError(`${label}不正确（应为不超过两位小数的非负数）：${cellText(cell)}`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export function parseInteger(cell: Cell | undefined, label: string, { min, max }: { min: number; max: number }) {
  const text = cellText(cell);
  if (!text) return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new CellError(`${label}不正确：${text}`);
  return value;
}

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
  const platform = PLATFORMS[text.toLowerCase()];
  if (!platform) throw new CellError(`未知平台：${text}（淘宝 / 天猫 / 京东 / 抖音 / 拼多多 / 官网 / 其他）`);
  return platform;
}

const STATUSES: Record<string, OrderStatus> = {
  pending: 'pending',
  待付款: 'pending',
  待支付: 'pending',
  等待买家付款: 'pending',
  paid: 'paid',
  已付款: 'paid',
  已支付: 'paid',
  待发货: 'paid',
  买家已付款: 'paid',
  等待卖家发货: 'paid',
  shipped: 'shipped',
  已发货: 'shipped',
  待收货: 'shipped',
  卖家已发货: 'shipped',
  completed: 'completed',
  已完成: 'completed',
  交易成功: 'completed',
  已签收: 'completed',
  已收货: 'completed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  已取消: 'cancelled',
  交易关闭: 'cancelled',
  refunded: 'refunded',
  已退款: 'refunded',
  退款成功: 'refunded',
};

export function parseOrderStatus(cell: Cell | undefined): OrderStatus | null {
  const text = cellText(cell);
  if (!text) return null;
  const status = STATUSES[text.toLowerCase()];
  if (!status) throw new CellError(`未知订单状态：${text}`);
  return status;
}

/** Plain text, limited in length. */
export function parseText(cell: Cell | undefined, label: string, max: number): string | null {
  const text = cellText(cell);
  if (!text) return null;
  if (text.length > max) throw new CellError(`${label}过长（最多 ${max} 个字符）`);
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
