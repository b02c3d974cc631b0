import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type * as ExcelJS from 'exceljs';
import type PDFKit from 'pdfkit';
import { lazyModule } from '../../platform/lazy-module.ts';

const excel = lazyModule<typeof ExcelJS>('exceljs');
const pdfkit = lazyModule<typeof PDFKit>('pdfkit');

export type ExportWriter = {
  /** The file's bytes, to hand to files.save while rows are still being written. */
  output: Readable;
  writeRow(values: string[]): Promise<void>;
  end(): Promise<void>;
};

export const FONT_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../assets/fonts/NotoSansSC-Common.otf',
);

/** Every character the embedded subset font has a glyph for (the list is generated together with the font). */
let fontCharacters: Set<string> | undefined;
function coveredByFont(character: string) {
  fontCharacters ??= new Set(readFileSync(FONT_PATH.replace(/\.otf$/, '.chars.txt'), 'utf8'));
  return fontCharacters.has(character);
}
const graphemes = new Intl.Segmenter('zh-CN', { granularity: 'grapheme' });

/**
 * `text` with each character the embedded font cannot draw (rare characters such as 𠮷, emoji) replaced by □:
 * pdfkit would draw nothing for it, and it also breaks the line there. A whole emoji sequence becomes one □.
 * Line breaks and tabs stay as they are.
 */
export function printableInPdf(text: string): string {
  let result = '';
  for (const { segment } of graphemes.segment(text)) {
    result += /^[\n\r\t]+$/.test(segment) || [...segment].every(coveredByFont) ? segment : '□';
  }
  return result;
}

/**
 * Spreadsheets run CSV cells starting with = + - @ (or a tab / carriage return) as formulas (CSV injection),
 * and some East-Asian Excel/WPS builds turn a leading full-width ＝ ＋ － ＠ into those:
 * such cells get a leading apostrophe so they stay text. CSV only: an XLSX cell is typed, and a string cell is
 * never a formula, so there the apostrophe would only become part of the value.
 */
export const neutraliseFormula = (value: string): string =>
  /^[=+\-@\t\r]/.test(value.normalize('NFKC')) ? `'${value}` : value;

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** Waits when the consumer is slower than the rows come. */
const write = (stream: PassThrough, chunk: string | Buffer) =>
  stream.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => stream.once('drain', () => resolve()));

export function createCsvWriter(headers: string[]): ExportWriter {
  const output = new PassThrough();
  // BOM: Excel opens UTF-8 CSV with Chinese correctly only with it.
  output.write(`\ufeff${headers.map((h) => csvField(neutraliseFormula(h))).join(',')}\r\n`);
  return {
    output,
    writeRow: (values) => write(output, `${values.map((v) => csvField(neutraliseFormula(v))).join(',')}\r\n`),
    async end() {
      output.end();
    },
  };
}

export function createXlsxWriter(headers: string[]): ExportWriter {
  const output = new PassThrough();
  const workbook = new (excel().stream.xlsx.WorkbookWriter)({
    stream: output,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet('客户');
  // Every value is a JS string, which exceljs writes as a string cell (never a formula): no apostrophe needed.
  sheet.addRow(headers).commit();
  return {
    output,
    async writeRow(values) {
      sheet.addRow(values).commit();
    },
    async end() {
      sheet.commit();
      await workbook.commit();
    },
  };
}

/**
 * A PDF table: one line per customer, `label: value` pairs wrapped to the page width, in the embedded CJK font.
 * Characters the font lacks print as □, and then `missingGlyphsNote` closes the file.
 */
export function createPdfWriter(
  headers: string[],
  title: string,
  exportedAt: string,
  missingGlyphsNote: string,
): ExportWriter {
  const document = new (pdfkit())({ size: 'A4', margin: 36, info: { Title: title } });
  const output = new PassThrough();
  document.pipe(output);
  document.registerFont('cjk', FONT_PATH);
  document.font('cjk').fontSize(14).text(printableInPdf(title));
  document.fontSize(8).fillColor('#666666').text(`导出时间：${exportedAt}`);
  document.moveDown(0.5).fillColor('#000000').fontSize(9);
  let count = 0;
  let replacedAny = false;
  return {
    output,
    async writeRow(values) {
      count++;
      const line = headers.map((header, i) => `${header}：${values[i] || '—'}`).join('   ');
      const printable = printableInPdf(line);
      replacedAny ||= printable !== line;
      document.text(`${count}. ${printable}`, { paragraphGap: 4 });
    },
    async end() {
      if (replacedAny) document.moveDown(0.5).fontSize(8).fillColor('#666666').text(missingGlyphsNote);
      document.end();
    },
  };
}
