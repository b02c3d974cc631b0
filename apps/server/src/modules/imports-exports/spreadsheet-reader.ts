import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type * as ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { AppError } from '../../platform/errors.ts';
import { lazyModule } from '../../platform/lazy-module.ts';
import { guardZip } from './zip-guard.ts';

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
/**
 * A CSV cell `'=…` (`'+…`, `'-…`, `'@…`) is one a spreadsheet export neutralised (ours do, see export-writers.ts,
 * and so does the rejected-rows report, also before full-width ＝ ＋ － ＠): the apostrophe is not part of the
 * value, so a re-import drops it.
 */
const FORMULA_START = /^[=+\-@\t\r]$/;

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
      for (let i = 0; i < record.length; i++) {
        const cell = record[i]!;
        if (cell.charCodeAt(0) === 0x27 && FORMULA_START.test(cell.charAt(1).normalize('NFKC')))
          record[i] = cell.slice(1);
      }
      yield { row, cells: record, brokenEncoding: record.some((cell) => cell.includes(FFFD)) };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('import.unreadable', `CSV 第 ${row + 1} 行附近格式错误，无法继续读取（如引号未闭合）`);
  }
}

/**
 * The non-empty rows of a CSV (header included), counted up to `limit + 1`: the rows readSheet would give, without
 * handing each over (a million rows in a second or two rather than ten).
 */
export async function countCsvRows(
  source: AsyncIterable<Buffer>,
  encoding: TextEncoding,
  limit: number,
): Promise<number> {
  const parser = parse({ bom: true, relax_column_count: true, relax_quotes: true, max_record_size: 1024 * 1024 });
  const input = Readable.from(decodeText(source, encoding));
  let rows = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      parser.on('data', (record: string[]) => {
        if (record.every((cell) => cell.trim() === '')) return;
        if (++rows > limit) {
          input.unpipe(parser);
          input.destroy();
          resolve();
        }
      });
      parser.on('end', resolve);
      parser.on('error', reject);
      input.on('error', reject);
      input.pipe(parser);
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('import.unreadable', `CSV 第 ${rows + 1} 行附近格式错误，无法继续读取（如引号未闭合）`);
  }
  return rows;
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

/**
 * The first worksheet's rows. The archive reaches exceljs only through `guardZip`, one piece at a time after it was
 * inflated and counted, so a file whose declared sizes lie is refused (`import.zip_bomb`) before exceljs inflates
 * more than the limits. On a refusal exceljs is left waiting for input that never comes, and nothing waits for it.
 */
async function* xlsxRows(source: AsyncIterable<Buffer>): AsyncGenerator<SheetRow> {
  let refuse: (error: unknown) => void = () => {};
  const refused = new Promise<never>((_, reject) => {
    refuse = reject;
  });
  refused.catch(() => {});
  async function* guarded(): AsyncGenerator<Buffer> {
    try {
      yield* guardZip(source);
    } catch (error) {
      // Not thrown into the stream: exceljs pipes it without an error handler.
      refuse(error);
    }
  }
  const input = Readable.from(guarded());
  const reader = new (excel().stream.xlsx.WorkbookReader)(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  try {
    const first = await Promise.race([reader[Symbol.asyncIterator]().next(), refused]);
    if (first.done) return;
    const rows = first.value[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([rows.next(), refused]);
      if (next.done) return; // only the first worksheet
      const values = (next.value.values as ExcelJS.CellValue[]) ?? [];
      const cells: Cell[] = [];
      for (let column = 1; column < values.length; column++) cells.push(xlsxCell(values[column]));
      yield { row: next.value.number, cells, brokenEncoding: false };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('import.unreadable', 'XLSX 文件已损坏或无法读取');
  } finally {
    input.destroy();
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
