import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type * as ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { AppError } from '../../platform/errors.ts';
import { lazyModule } from '../../platform/lazy-module.ts';

const excel = lazyModule<typeof ExcelJS>('exceljs');

export type FileFormat = 'csv' | 'xlsx';
export type TextEncoding = 'utf-8' | 'gb18030';

/** A cell as read: text for CSV; XLSX also gives numbers, booleans and dates. */
export type Cell = string | number | boolean | Date | null;
/** One data or header row; `row` is the 1-based row number a spreadsheet shows. */
export type SheetRow = { row: number; cells: Cell[]; brokenEncoding: boolean };

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export function detectFormat(input: { contentType: string; filename: string; head: Buffer }): FileFormat {
  if (input.head.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (input.contentType.startsWith(XLSX_TYPE) || /\.xlsx$/i.test(input.filename))
    throw new AppError('import.unreadable', '文件不是有效的 XLSX（Excel 2007 及以上）文件');
  if (/\.xls$/i.test(input.filename))
    throw new AppError('import.unreadable', '不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV');
  return 'csv';
}

/**
 * UTF-8 (with or without BOM) or GB18030 (a superset of GBK and GB2312), judged from the file's first bytes.
 * A UTF-8 file with a few broken bytes stays UTF-8 (its broken rows are rejected one by one); a file whose
 * non-ASCII text mostly fails as UTF-8 is GB18030.
 */
export function detectEncoding(sample: Buffer): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  const text = new TextDecoder('utf-8').decode(sample);
  let broken = 0;
  let nonAscii = 0;
  // The sample may end inside a character: ignore the last 3 decoded characters.
  for (let i = 0; i < text.length - 3; i++) {
    const code = text.charCodeAt(i);
    if (code === 0xfffd) broken++;
    else if (code > 0x7f) nonAscii++;
  }
  if (broken === 0) return 'utf-8';
  return nonAscii >= broken * 4 ? 'utf-8' : 'gb18030';
}

/** Decodes a byte stream to text chunks; undecodable bytes become U+FFFD (rows holding one are rejected). */
async function* decodeText(source: AsyncIterable<Buffer>, encoding: TextEncoding): AsyncGenerator<string> {
  if (encoding === 'utf-8') {
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of source) yield decoder.decode(chunk, { stream: true });
    yield decoder.decode();
    return;
  }
  const decoder = iconv.getDecoder('gb18030');
  for await (const chunk of source) yield decoder.write(chunk);
  yield decoder.end() ?? '';
}

/** Splits `source` into its first `bytes` bytes and a stream that replays them followed by the rest. */
export async function peek(source: Readable, bytes: number): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const taken: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    taken.push(next.value);
    size += next.value.length;
  }
  const head = Buffer.concat(taken);
  async function* replay() {
    if (head.length > 0) yield head;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
  }
  return { head: head.subarray(0, bytes), stream: replay() };
}

const FFFD = '\ufffd';

async function* csvRows(source: AsyncIterable<Buffer>, encoding: TextEncoding): AsyncGenerator<SheetRow> {
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: 1024 * 1024,
  });
  const feed = Readable.from(decodeText(source, encoding)).pipe(parser);
  let row = 0;
  try {
    for await (const record of feed as AsyncIterable<string[]>) {
      row++;
      yield { row, cells: record, brokenEncoding: record.some((cell) => cell.includes(FFFD)) };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('import.unreadable', `CSV 第 ${row + 1} 行附近格式错误，无法继续读取（如引号未闭合）`);
  }
}

/** The value an XLSX cell shows: formulas give their cached result, rich text its plain text. */
function xlsxCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return xlsxCell((value.result ?? null) as ExcelJS.CellValue);
    if ('text' in value) return String((value as { text: unknown }).text);
    if ('error' in value) return null;
  }
  return String(value);
}

async function* xlsxRows(source: AsyncIterable<Buffer>): AsyncGenerator<SheetRow> {
  const reader = new (excel().stream.xlsx.WorkbookReader)(Readable.from(source), {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  try {
    for await (const sheet of reader) {
      for await (const xlsxRow of sheet) {
        const values = (xlsxRow.values as ExcelJS.CellValue[]) ?? [];
        const cells: Cell[] = [];
        for (let column = 1; column < values.length; column++) cells.push(xlsxCell(values[column]));
        yield { row: xlsxRow.number, cells, brokenEncoding: false };
      }
      return; // only the first worksheet
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('import.unreadable', 'XLSX 文件已损坏或无法读取');
  }
}

/** Every row of the file (header included), in order, streamed. Empty rows come through with no cells. */
export function readSheet(
  source: AsyncIterable<Buffer>,
  format: FileFormat,
  encoding: TextEncoding,
): AsyncGenerator<SheetRow> {
  return format === 'xlsx' ? xlsxRows(source) : csvRows(source, encoding);
}

/** Cell as trimmed text ('' for empty); dates as YYYY-MM-DD HH:mm:ss (UTC as stored by Excel). */
export function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) {
    const iso = cell.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  return String(cell).trim();
}

/** Header names made unique and non-empty: a repeated `电话` becomes `电话 (2)`, an empty one `列 3`. */
export function uniqueHeaders(cells: Cell[]): string[] {
  const seen = new Map<string, number>();
  return cells.map((cell, index) => {
    const base = cellText(cell).replace(/^\ufeff/, '') || `列 ${index + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base} (${count})`;
  });
}
