import {
  type CreateExportBody,
  customerImportFields,
  type ExportField,
  type ExportLocale,
  type ExportTarget,
  type ImportCellError,
  type ImportDryRunResult,
  type ImportKind,
  type ImportMappingBody,
  type ImportRunBody,
  type ImportRunResult,
  type ImportView,
  importFieldLabel,
  importFieldLabels,
  importIssuesText,
  type Job,
  lifecycleStageLabels,
  localDate,
  maskBankCard,
  maskIdCard,
  maskPhone,
  type OrderPlatform,
  orderImportFields,
  PDF_EXPORT_MAX_CUSTOMERS,
  type Permission,
  type RejectedRow,
  rfmTierLabels,
  wallClock,
} from '@huike/contracts';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import * as schema from '../../db/schema.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { type Executor, workspaceTimezone } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { Files } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { actorOf, JobCancelled, type JobContext, type Jobs, storedActor } from '../../platform/jobs.ts';
import { normalizeText } from '../../platform/text/index.ts';
import type { AuditService } from '../audit/index.ts';
import { upsertOrder } from '../orders/index.ts';
import { resolveCustomerTarget, type SearchMatches } from '../segments/index.ts';
import { CellError, cellIssue } from './cell-values.ts';
import {
  applyCustomerPlan,
  type CustomerImportReference,
  type CustomerRow,
  createDryRunState,
  planCustomerBatch,
  prepareCreateLine,
  readCustomerRow,
} from './customer-import.ts';
import { builtInExportFields, exportText, rejectedReportText } from './export-labels.ts';
import { createCsvWriter, createPdfWriter, createXlsxWriter, type ExportWriter } from './export-writers.ts';
import { suggestMapping } from './header-mapping.ts';
import * as repo from './imports-exports.repository.ts';
import { buildOrder, type OrderGroup, type OrderReading, readOrderRow } from './order-import.ts';
import {
  cellText,
  countCsvRows,
  detectEncoding,
  detectFormat,
  type FileFormat,
  peek,
  readSheet,
  type SheetRow,
  type TextEncoding,
  uniqueHeaders,
} from './spreadsheet-reader.ts';
import { assertSafeZip, createTailKeeper, inspectZip } from './zip-guard.ts';

export const IMPORT_JOB = 'imports.run';
export const EXPORT_JOB = 'exports.run';
export const DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
/** Customer rows per batch (one transaction, one plan). Exported for tests that need more than one batch. */
export const CUSTOMER_BATCH_ROWS = 20_000;
/**
 * The most data rows one import takes. A million customers is a whole shop's CRM moved in at once (the import
 * benchmark's CSV); bigger files are split. It bounds the work and memory one upload can ask for: a dry run keeps
 * a little per customer it would create, and an XLSX of more rows inflates past what the zip guard allows anyway.
 */
export const MAX_IMPORT_ROWS = 1_000_000;
const ORDER_BATCH_ORDERS = 200;
const SAMPLE_ROWS = 5;
const REJECTED_SAMPLE = 100;
/** Rejected rows read per query while writing the rejected-rows report. */
const REPORT_PAGE = 5000;
const EXPORT_PAGE = 1000;
const permissionFor = (kind: ImportKind): Permission => (kind === 'customers' ? 'customers:import' : 'orders:write');

const toView = (row: repo.ImportRow): ImportView => ({
  id: row.id,
  kind: row.kind,
  filename: row.filename,
  format: row.format,
  encoding: row.encoding,
  columns: row.columns,
  sampleRows: row.sampleRows,
  suggestedMapping: row.suggestedMapping,
  jobId: row.jobId,
  createdAt: row.createdAt.toISOString(),
});

type Counts = { created: number; updated: number; unchanged: number; rejected: number };

type ExportJobPayload = {
  target: ExportTarget;
  format: 'csv' | 'xlsx' | 'pdf';
  fields: string[];
  actor: { userId: string; workspaceId: string; role: Actor['role']; name: string };
  /** The requester's language for headers and labels; absent in jobs queued before it existed (zh-CN). */
  locale?: ExportLocale;
};

/** Stops an export between pages: no file is kept. `by`: who cancelled it. */
class ExportCancelled extends Error {
  constructor(readonly by: string | null) {
    super('export cancelled');
  }
}

const brokenEncoding = cellIssue('import.broken_encoding', {});

/** A rejected row with every reason: each as a code and values, and in Chinese joined with 「；」. */
const rejection = (row: number, errors: ImportCellError[]): RejectedRow => ({
  row,
  reason: errors.map((error) => error.reason).join('；'),
  errors,
});

/** An API error's details as a rejection's params: its string and number values. */
const plainParams = (details: unknown): ImportCellError['params'] =>
  Object.fromEntries(
    Object.entries(details && typeof details === 'object' ? details : {}).filter(
      (entry): entry is [string, string | number] => typeof entry[1] === 'string' || typeof entry[1] === 'number',
    ),
  );

/** A PDF is for reading and printing; bigger lists belong in CSV or XLSX. */
const tooManyForPdf = () =>
  new AppError(
    'export.too_many_for_pdf',
    `PDF 最多导出 ${PDF_EXPORT_MAX_CUSTOMERS} 位客户，请缩小范围或改用 CSV / XLSX`,
    { max: PDF_EXPORT_MAX_CUSTOMERS },
  );

const tooManyRows = () =>
  new AppError(
    'request.too_large',
    `文件超过 ${MAX_IMPORT_ROWS.toLocaleString('en-US')} 行数据（带格式的空行也算），请删除多余的行或拆分成几个文件分别导入`,
  );

/** Counts the line feeds of what passes through: an upper bound of a CSV's rows (line breaks in quotes count too). */
function createLineCounter() {
  let lines = 0;
  return {
    async *pass(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
        yield chunk;
      }
    },
    get lines() {
      return lines;
    },
  };
}

/**
 * Hands over the source's items while already reading and validating the next one: parsing the file (Node) and
 * writing the previous batch (PostgreSQL) overlap, one batch ahead at most.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = iterator.next();
      // Awaited on the next turn; until then a failure must not count as unhandled.
      next.catch(() => {});
      yield current.value;
    }
  } finally {
    // Stopped early (an error while writing): let the read in flight settle, then close the source.
    await next.catch(() => {});
    await iterator.return?.();
  }
}

/**
 * An instant as the workspace's wall clock, as the app shows times (`2026-11-25 09:30`): what a team reads in
 * the file is the time they saw on screen, not UTC.
 */
export function localDateTime(at: Date, timeZone: string): string {
  const { year, month, day, hour, minute } = wallClock(at, timeZone);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${year}-${pad(month)}-${pad(day)} ${pad(hour)}:${pad(minute)}`;
}

export type ImportsExportsService = ReturnType<typeof createImportsExportsService>;

export function createImportsExportsService({
  db,
  jobs,
  files,
  audit,
  cipher,
  searchMatches,
  maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES,
}: {
  db: Db;
  jobs: Jobs;
  files: Files;
  audit: AuditService;
  cipher: FieldCipher;
  searchMatches?: SearchMatches;
  maxUploadBytes?: number;
}) {
  async function getRow(actor: Actor, id: string) {
    const row = await repo.findImport(db, actor.workspaceId, id);
    if (!row) throw new AppError('import.not_found', '导入任务不存在');
    assertCan(actor, permissionFor(row.kind));
    return row;
  }

  async function openFile(row: repo.ImportRow) {
    const file = await files.open(row.workspaceId, row.fileId);
    return file.stream as AsyncIterable<Buffer>;
  }

  /**
   * The data rows (header skipped), with empty rows left out but counted in the row numbers. More than
   * MAX_IMPORT_ROWS is refused (the upload refuses such files already; this holds for files stored before that).
   */
  async function* dataRows(row: repo.ImportRow): AsyncGenerator<SheetRow> {
    let isHeader = true;
    let count = 0;
    for await (const sheetRow of readSheet(await openFile(row), row.format, row.encoding as TextEncoding)) {
      if (sheetRow.cells.every((cell) => cellText(cell) === '')) continue;
      if (isHeader) {
        isHeader = false;
        continue;
      }
      if (++count > MAX_IMPORT_ROWS) throw tooManyRows();
      yield sheetRow;
    }
  }

  async function customFieldsOf(executor: Executor, workspaceId: string) {
    return (await repo.customFieldsOf(executor, workspaceId)).map((field) => ({
      key: field.key,
      label: field.label,
      type: field.type,
      options: field.options,
    }));
  }

  /**
   * Field of each column in order, after checking the mapping against the file and the kind. A default platform
   * stands in for a 平台 column.
   */
  async function fieldsOf(row: repo.ImportRow, { mapping, defaultPlatform }: ImportMappingBody) {
    const allowed = new Set<string>(row.kind === 'customers' ? customerImportFields : orderImportFields);
    if (row.kind === 'customers') {
      for (const field of await customFieldsOf(db, row.workspaceId)) allowed.add(`custom:${field.key}`);
    }
    const label = (field: string) => importFieldLabel(field, 'zh-CN') ?? field;
    const used = new Set<string>();
    for (const [column, field] of Object.entries(mapping)) {
      if (!row.columns.includes(column))
        throw new AppError('import.mapping_unknown_column', `文件中没有这一列：${column}`, { column });
      if (field === null) continue;
      if (!allowed.has(field))
        throw new AppError('import.mapping_unknown_field', `无法导入到字段：${field}`, { field });
      if (used.has(field))
        throw new AppError('import.mapping_duplicate_field', `字段「${label(field)}」对应了多列`, { field });
      used.add(field);
    }
    if (defaultPlatform) used.add('platform');
    const needs =
      row.kind === 'customers'
        ? [['phone', 'email', 'buyerId']]
        : [['platform'], ['orderNo'], ['buyerId', 'phone', 'email']];
    for (const fields of needs) {
      if (!fields.some((field) => used.has(field))) {
        throw new AppError('import.mapping_missing_required', `请至少为「${fields.map(label).join(' / ')}」选择一列`, {
          fields,
        });
      }
    }
    return row.columns.map((column) => mapping[column] ?? null);
  }

  async function customerReference(
    executor: Executor,
    row: repo.ImportRow,
    defaultPlatform: OrderPlatform | null,
  ): Promise<CustomerImportReference> {
    const tags = await repo.tagsOf(executor, row.workspaceId);
    const tagsByName = new Map<string, string>();
    for (const tag of tags) if (!tagsByName.has(tag.name)) tagsByName.set(tag.name, tag.id);
    for (const tag of tags)
      if (!tagsByName.has(normalizeText(tag.name))) tagsByName.set(normalizeText(tag.name), tag.id);
    const customFields = new Map((await customFieldsOf(executor, row.workspaceId)).map((f) => [f.key, f]));
    return { tagsByName, customFields, fromXlsx: row.format === 'xlsx', defaultPlatform };
  }

  type Batch = { lastRow: number; rejected: RejectedRow[] } & (
    | { kind: 'customers'; rows: CustomerRow[] }
    | { kind: 'orders'; groups: OrderGroup[] }
  );

  /**
   * Reads the file after `afterRow` and hands over batches of validated rows (customers: CUSTOMER_BATCH_ROWS rows;
   * orders: ORDER_BATCH_ORDERS whole orders, never cut between the rows of one order).
   */
  async function* batches(
    row: repo.ImportRow,
    fields: (string | null)[],
    afterRow: number,
    defaultPlatform: OrderPlatform | null,
  ): AsyncGenerator<Batch> {
    const reference = row.kind === 'customers' ? await customerReference(db, row, defaultPlatform) : undefined;
    // Order times without an offset are the shop's wall clock: read them in the workspace's zone.
    const reading: OrderReading = {
      fromXlsx: row.format === 'xlsx',
      timeZone: row.kind === 'orders' ? await workspaceTimezone(db, row.workspaceId) : 'UTC',
      defaultPlatform,
    };
    let rejected: RejectedRow[] = [];
    let customerRows: CustomerRow[] = [];
    let groups: OrderGroup[] = [];
    let lines: ReturnType<typeof readOrderRow>[] = [];
    let lastRow = afterRow;
    const closeOrder = () => {
      if (lines.length === 0) return;
      try {
        groups.push(buildOrder(lines));
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        for (const line of lines) rejected.push(rejection(line.row, error.issues));
      }
      lines = [];
    };
    const take = (): Batch => {
      const batch: Batch =
        row.kind === 'customers'
          ? { kind: 'customers', rows: customerRows, rejected, lastRow }
          : { kind: 'orders', groups, rejected, lastRow };
      customerRows = [];
      groups = [];
      rejected = [];
      return batch;
    };
    for await (const sheetRow of dataRows(row)) {
      if (sheetRow.row <= afterRow) continue;
      if (row.kind === 'orders' && lines.length > 0) {
        // A new order starts: the previous one is complete, and a batch may end here.
        const next = sheetRow.brokenEncoding ? undefined : safeOrderKey(sheetRow, fields, reading);
        if (next !== lines[0]!.key) {
          closeOrder();
          if (groups.length >= ORDER_BATCH_ORDERS) yield take();
        }
      }
      lastRow = sheetRow.row;
      if (sheetRow.brokenEncoding) {
        rejected.push(rejection(sheetRow.row, [brokenEncoding]));
        continue;
      }
      try {
        if (row.kind === 'customers') {
          const customerRow = readCustomerRow(sheetRow.row, sheetRow.cells, fields, reference!);
          prepareCreateLine(customerRow);
          customerRows.push(customerRow);
        } else lines.push(readOrderRow(sheetRow.row, sheetRow.cells, fields, reading));
      } catch (error) {
        if (!(error instanceof CellError)) throw error;
        rejected.push(rejection(sheetRow.row, error.issues));
      }
      if (row.kind === 'customers' && customerRows.length + rejected.length >= CUSTOMER_BATCH_ROWS) yield take();
    }
    closeOrder();
    yield take();
  }

  const safeOrderKey = (sheetRow: SheetRow, fields: (string | null)[], reading: OrderReading) => {
    try {
      return readOrderRow(sheetRow.row, sheetRow.cells, fields, reading).key;
    } catch {
      return undefined;
    }
  };

  /** Upserts each order in its own savepoint: a bad order is rejected, the others in the batch are kept. */
  async function upsertOrders(
    tx: Executor,
    row: repo.ImportRow,
    actorId: string | null,
    groups: OrderGroup[],
    counts: Counts,
    rejected: RejectedRow[],
  ) {
    for (const group of groups) {
      try {
        const result = await tx.transaction((savepoint) =>
          upsertOrder(savepoint, { workspaceId: row.workspaceId, actorId }, group.input),
        );
        counts[result.outcome === 'created' ? 'created' : result.outcome === 'updated' ? 'updated' : 'unchanged']++;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const issue = { code: error.code, params: plainParams(error.details), reason: error.message };
        for (const line of group.rows) rejected.push(rejection(line, [issue]));
      }
    }
  }

  class DryRunRollback extends Error {}

  async function dryRun(actor: Actor, id: string, body: ImportMappingBody): Promise<ImportDryRunResult> {
    const row = await getRow(actor, id);
    const fields = await fieldsOf(row, body);
    const result: ImportDryRunResult = {
      total: 0,
      create: 0,
      update: 0,
      unchanged: 0,
      rejected: 0,
      rejectedSample: [],
    };
    const virtual = createDryRunState();
    const seenOrders = new Set<string>();
    for await (const batch of batches(row, fields, 1, body.defaultPlatform ?? null)) {
      const rejected = [...batch.rejected];
      if (batch.kind === 'customers') {
        const plan = await planCustomerBatch(db, row.workspaceId, batch.rows, virtual);
        result.create += plan.creates.length;
        result.update += plan.updates.length + plan.updatedInBatch;
        result.unchanged += plan.unchanged;
        result.total += batch.rows.length;
      } else {
        // Orders: the real upserts in a transaction that is rolled back — exact counts, nothing kept.
        const counts: Counts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
        const fresh = batch.groups.filter((group) => !seenOrders.has(group.key));
        for (const group of batch.groups) seenOrders.add(group.key);
        await db
          .transaction(async (tx) => {
            await upsertOrders(tx, row, actor.userId, fresh, counts, rejected);
            throw new DryRunRollback();
          })
          .catch((error) => {
            if (!(error instanceof DryRunRollback)) throw error;
          });
        result.create += counts.created;
        result.update += counts.updated;
        result.unchanged += counts.unchanged + (batch.groups.length - fresh.length);
        result.total += batch.groups.reduce((sum, group) => sum + group.rows.length, 0);
      }
      result.rejected += rejected.length;
      result.total += batch.rejected.length;
      if (result.rejectedSample.length < REJECTED_SAMPLE)
        result.rejectedSample.push(...rejected.slice(0, REJECTED_SAMPLE - result.rejectedSample.length));
    }
    result.rejectedSample.sort((a, b) => a.row - b.row);
    return result;
  }

  /** Estimated data rows of a CSV (line breaks, header excluded) for the progress bar; null for XLSX. */
  async function estimateRows(row: repo.ImportRow): Promise<number | null> {
    if (row.format !== 'csv') return null;
    let lines = 0;
    let last = 0x0a;
    for await (const chunk of await openFile(row)) {
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
      last = chunk[chunk.length - 1] ?? last;
    }
    return Math.max(0, lines + (last === 0x0a ? 0 : 1) - 1);
  }

  /**
   * A customer batch's transaction on a connection of its own, so the COPY into the staging table runs in it.
   * GIN indexes without a limit of their own (the customers' search indexes) take the batch's entries into a larger
   * pending list, merged at the batch's end (SEARCH_GIN_INDEXES). The commit need not wait for
   * the WAL flush: a crash loses at most the last batches together with their checkpoint, and the retry redoes them.
   */
  async function inClientTransaction(write: (tx: Executor, client: pg.PoolClient) => Promise<void>) {
    const client = await db.$client.connect();
    let broken = false;
    try {
      await client.query('begin');
      try {
        await client.query(`set local gin_pending_list_limit = '64MB'`);
        await client.query('set local synchronous_commit = off');
        await write(drizzle(client, { schema }) as unknown as Executor, client);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => {
          broken = true;
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  /**
   * The rejected rows as a CSV the user can fix and import again: the file's own columns with each rejected row's
   * cells as the file has them (the file is read again, up to the last rejected row), then 行号 (its row in the
   * file) and 原因, in the runner's language (Row and Reason in English; a row stored before its issues were kept
   * has its Chinese reason). Formula-looking cells are neutralised as in exports (a re-import drops the apostrophe).
   */
  function rejectedRowsReport(
    row: repo.ImportRow,
    locale: ExportLocale,
  ): { output: AsyncIterable<Buffer>; done: Promise<void> } {
    const text = rejectedReportText[locale];
    const writer = createCsvWriter([...row.columns, text.row, text.reason]);
    const done = (async () => {
      try {
        let page = await repo.rejectionsAfter(db, row.workspaceId, row.id, 0, REPORT_PAGE);
        let index = 0;
        for await (const sheetRow of dataRows(row)) {
          for (;;) {
            while (index < page.length && page[index]!.row < sheetRow.row) index++;
            if (index < page.length || page.length < REPORT_PAGE) break;
            page = await repo.rejectionsAfter(db, row.workspaceId, row.id, page.at(-1)!.row, REPORT_PAGE);
            index = 0;
          }
          if (index >= page.length) break; // no rejected row after this one: stop reading
          const rejection = page[index]!;
          if (rejection.row !== sheetRow.row) continue;
          const cells = row.columns.map((_, column) => {
            const cell = sheetRow.cells[column];
            return typeof cell === 'string' ? cell : cellText(cell);
          });
          const reason = rejection.issues ? importIssuesText(rejection.issues, locale) : rejection.reason;
          await writer.writeRow([...cells, String(rejection.row), reason]);
          index++;
        }
        await writer.end();
      } catch (error) {
        writer.output.destroy(error as Error);
        throw error;
      }
    })();
    done.catch(() => {}); // awaited by the caller after the file is saved
    return { output: writer.output as AsyncIterable<Buffer>, done };
  }

  async function runImport(context: JobContext<{ importId: string }>): Promise<ImportRunResult> {
    const { workspaceId, createdBy } = context.job;
    const start = await repo.findImport(db, workspaceId, context.payload.importId);
    if (!start?.mapping) throw new AppError('import.not_found', '导入任务不存在');
    const fields = await fieldsOf(start, {
      mapping: start.mapping,
      defaultPlatform: start.defaultPlatform ?? undefined,
    });
    const total = await estimateRows(start);
    let done = start.committedRow - 1;
    // The planner's row counts of a table an import is filling go stale fast (0 rows → a million): looking a batch's
    // phones up against "a tiny table" becomes a filter over every row. Statistics are refreshed as the table
    // doubles, a handful of times per import.
    let growthUntilAnalyze = CUSTOMER_BATCH_ROWS;
    for await (const batch of readAhead(batches(start, fields, start.committedRow, start.defaultPlatform))) {
      // Cancelled: stop between batches; the committed ones stay, and the result and report cover them.
      const cancel = context.cancelRequest();
      if (cancel) throw new JobCancelled(await finishImport(start, createdBy, cancel));
      if (batch.kind === 'customers' && growthUntilAnalyze <= 0) {
        await db.execute(sql`analyze customers, customer_identities`);
        const { rows } = await db.execute<{ estimate: number }>(
          sql`select reltuples::float8 as estimate from pg_class where oid = 'customers'::regclass`,
        );
        growthUntilAnalyze = Math.max(CUSTOMER_BATCH_ROWS, Number(rows[0]?.estimate ?? 0));
      }
      let created = 0;
      const write = async (tx: Executor, client?: pg.PoolClient) => {
        const current = (await repo.lockImport(tx, workspaceId, start.id))!;
        if (current.committedRow >= batch.lastRow) return; // another attempt got here first
        const counts = { ...current.counts };
        const rejected = [...batch.rejected];
        if (batch.kind === 'customers') {
          const plan = await planCustomerBatch(tx, workspaceId, batch.rows);
          await applyCustomerPlan(tx, { workspaceId, actorId: createdBy, importId: start.id }, plan, client);
          counts.created += plan.creates.length;
          created = plan.creates.length;
          counts.updated += plan.updates.length + plan.updatedInBatch;
          counts.unchanged += plan.unchanged;
        } else {
          await upsertOrders(tx, start, createdBy, batch.groups, counts, rejected);
        }
        counts.rejected += rejected.length;
        await repo.insertRejections(tx, workspaceId, start.id, rejected);
        await repo.updateImport(tx, workspaceId, start.id, { committedRow: batch.lastRow, counts });
      };
      if (batch.kind === 'customers') await inClientTransaction(write);
      else await db.transaction((tx) => write(tx));
      growthUntilAnalyze -= created;
      done = batch.lastRow - 1;
      await context.progress(done, total === null ? null : Math.max(total, done), { committedRow: batch.lastRow });
    }
    return finishImport(start, createdBy, null);
  }

  /**
   * The import's result, its rejected-rows report and its audit entry, once it has read the whole file or was
   * cancelled (`cancel`: by whom; the entry is theirs). `rowsRead`: the file's rows through the last committed batch.
   */
  function finishImport(
    start: repo.ImportRow,
    createdBy: string | null,
    cancel: { by: string | null } | null,
  ): Promise<ImportRunResult> {
    const { workspaceId } = start;
    return db.transaction(async (tx) => {
      const finished = (await repo.lockImport(tx, workspaceId, start.id))!;
      const rowsRead = finished.committedRow - 1;
      let reportFileId: string | null = null;
      if (finished.counts.rejected > 0) {
        const stem = start.filename.replace(/\.[^.]+$/, '');
        const locale = finished.locale ?? 'zh-CN';
        const report = rejectedRowsReport(start, locale);
        reportFileId = (
          await files.save(tx, {
            workspaceId,
            createdBy,
            name: `${stem}-${rejectedReportText[locale].fileSuffix}.csv`,
            contentType: 'text/csv; charset=utf-8',
            data: report.output,
          })
        ).id;
        await report.done;
      }
      await audit.record(tx, {
        workspaceId,
        actorId: cancel ? cancel.by : createdBy,
        action: cancel ? `${start.kind}.import_cancelled` : `${start.kind}.imported`,
        targetType: 'import',
        targetId: start.id,
        details: { filename: start.filename, ...finished.counts, ...(cancel ? { rowsRead } : {}) },
      });
      return { ...finished.counts, rowsRead, reportFileId };
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Exports

  /** Built-in fields labelled in `locale` (export-labels.ts), then the workspace's custom fields by their label. */
  async function exportFields(actor: Actor, locale: ExportLocale = 'zh-CN'): Promise<ExportField[]> {
    assertCan(actor, 'customers:export');
    const custom = (await customFieldsOf(db, actor.workspaceId)).map((field) => ({
      key: `custom:${field.key}`,
      label: field.label,
      isPii: false,
      isDefault: false,
    }));
    return [...builtInExportFields(locale), ...custom];
  }

  async function createExport(actor: Actor, body: CreateExportBody): Promise<Job> {
    assertCan(actor, 'customers:export');
    const available = new Set((await exportFields(actor)).map((field) => field.key));
    const unknown = body.fields.filter((field) => !available.has(field));
    if (unknown.length > 0) throw new AppError('export.invalid_fields', `没有这些字段：${unknown.join('、')}`);
    // Resolving now answers a wrong segment id (404) or filter (400) here rather than in the job.
    const where = await whereOf(db, actor, body.target);
    if (
      body.format === 'pdf' &&
      (await repo.countUpTo(db, where, PDF_EXPORT_MAX_CUSTOMERS + 1)) > PDF_EXPORT_MAX_CUSTOMERS
    )
      throw tooManyForPdf();
    const payload: ExportJobPayload = {
      target: body.target,
      format: body.format,
      fields: [...new Set(body.fields)],
      actor: storedActor(actor),
      locale: body.locale ?? 'zh-CN',
    };
    return jobs.enqueue(db, { workspaceId: actor.workspaceId, kind: EXPORT_JOB, payload, createdBy: actor.userId });
  }

  const whereOf = async (executor: Executor, actor: Actor, target: ExportTarget): Promise<SQL> =>
    'all' in target
      ? sql`(customers.workspace_id = ${actor.workspaceId} and customers.merged_into_id is null)`
      : // `{ q }`: the customers the search box finds for this actor; digits match phones in full only for those who
        // may reveal them (an analyst's export must not tell which hidden digits a phone has, by its row count).
        resolveCustomerTarget(executor, actor, target, searchMatches);

  function cellOf(
    customer: repo.ExportCustomerRow,
    field: string,
    { reveal, locale, timezone }: { reveal: boolean; locale: ExportLocale; timezone: string },
  ): string {
    const phone = (value: string) => (reveal ? value : maskPhone(value));
    const decrypt = (stored: string | null, mask: (value: string) => string) => {
      if (!stored) return '';
      const plain = cipher.decrypt(stored);
      return reveal ? plain : mask(plain);
    };
    const time = (value: string | null) => (value ? localDateTime(new Date(value), timezone) : '');
    if (field.startsWith('custom:')) {
      const value = customer.custom_fields[field.slice('custom:'.length)];
      return value === undefined || value === null ? '' : Array.isArray(value) ? value.join('、') : String(value);
    }
    switch (field) {
      case 'phone':
        return customer.phone ? phone(customer.phone) : '';
      case 'phones':
        return customer.phones.map(phone).join('、');
      case 'emails':
        return customer.emails.join('、');
      case 'gender':
        return exportText[locale].genders[customer.gender] ?? '';
      case 'tags':
        return customer.tag_names.join('、');
      case 'lifecycleStage':
        return customer.lifecycle_stage ? lifecycleStageLabels[locale][customer.lifecycle_stage] : '';
      case 'rfmTier':
        return customer.rfm_tier ? rfmTierLabels[locale][customer.rfm_tier] : '';
      case 'orderCount':
        return String(customer.order_count ?? 0);
      case 'totalSpent':
        return ((customer.total_spent_fen ?? 0) / 100).toFixed(2);
      case 'firstOrderAt':
        return time(customer.first_order_at);
      case 'lastOrderAt':
        return time(customer.last_order_at);
      case 'createdAt':
        return time(customer.created_at);
      case 'owner':
        return customer.owner_name ?? '';
      case 'idCard':
        return decrypt(customer.id_card_enc, maskIdCard);
      case 'bankCard':
        return decrypt(customer.bank_card_enc, maskBankCard);
      default: {
        const value = (customer as Record<string, unknown>)[field];
        return value === null || value === undefined ? '' : String(value);
      }
    }
  }

  async function runExport(context: JobContext<ExportJobPayload>) {
    const { actor: stored, target, format, fields } = context.payload;
    // Jobs queued before exports had a language were Chinese.
    const locale = context.payload.locale ?? 'zh-CN';
    const actor = actorOf(stored, context.job.workspaceId);
    const reveal = can(actor, 'customers:reveal_pii');
    const labels = new Map((await exportFields(actor, locale)).map((field) => [field.key, field.label]));
    const headers = fields.map((field) => labels.get(field) ?? field);
    const where = await whereOf(db, actor, target);
    const total = Number(
      (await db.execute<{ count: number }>(sql`select count(*)::int as count from customers where ${where}`)).rows[0]
        ?.count ?? 0,
    );
    // Checked again: the target may have grown since the export was asked for.
    if (format === 'pdf' && total > PDF_EXPORT_MAX_CUSTOMERS) throw tooManyForPdf();
    const timezone = await workspaceTimezone(db, actor.workspaceId);
    const now = new Date();
    const stamp = localDate(now, timezone);
    // sv-SE writes "2026-11-25 09:30:00"; the title's date and this time are both the workspace's.
    const exportedAt = `${new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, dateStyle: 'short', timeStyle: 'medium' }).format(now)}（${timezone}）`;
    const writer: ExportWriter =
      format === 'csv'
        ? createCsvWriter(headers)
        : format === 'xlsx'
          ? createXlsxWriter(headers)
          : createPdfWriter(
              headers,
              `${exportText[locale].title} ${stamp}`,
              exportedAt,
              exportText[locale].pdfMissingGlyphs,
            );
    const contentType = {
      csv: 'text/csv; charset=utf-8',
      xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      pdf: 'application/pdf',
    }[format];
    let rows = 0;
    /** Why writing stopped early, if it did (a cancel, a shutdown): saving the file fails with it. */
    let stoppedBy: unknown;
    const produce = (async () => {
      try {
        for (let after: string | null = null; ; ) {
          // Cancelled: stop between pages; the file saved so far is rolled back with its transaction.
          const cancel = context.cancelRequest();
          if (cancel) throw new ExportCancelled(cancel.by);
          const page = await repo.exportPage(db, where, after, EXPORT_PAGE);
          for (const customer of page)
            await writer.writeRow(fields.map((field) => cellOf(customer, field, { reveal, locale, timezone })));
          rows += page.length;
          await context.progress(rows, total);
          if (page.length < EXPORT_PAGE) break;
          after = page.at(-1)!.id;
        }
        await writer.end();
      } catch (error) {
        stoppedBy = error;
        writer.output.destroy(error as Error);
        throw error;
      }
    })();
    // Awaited in the transaction; when writing stops early, saving the file fails with the same error first (the
    // output may be destroyed before saving starts to read it: its error must not go unhandled meanwhile).
    produce.catch(() => {});
    writer.output.on('error', () => {});
    const saved = await db
      .transaction(async (tx) => {
        const file = await files.save(tx, {
          workspaceId: actor.workspaceId,
          createdBy: actor.userId,
          name: `${exportText[locale].title}-${stamp}.${format}`,
          contentType,
          data: writer.output as AsyncIterable<Buffer>,
        });
        await produce;
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'customers.exported',
          targetType: 'file',
          targetId: file.id,
          details: {
            count: rows,
            format,
            fields,
            target: 'customerIds' in target ? { customerIds: target.customerIds.length } : target,
            masked: !reveal,
          },
        });
        return file;
      })
      .catch(async (error) => {
        if (!(stoppedBy instanceof ExportCancelled)) throw stoppedBy ?? error;
        await audit.record(db, {
          workspaceId: actor.workspaceId,
          actorId: stoppedBy.by,
          action: 'customers.export_cancelled',
          targetType: 'job',
          targetId: context.job.id,
          details: { written: rows, total, format, fields },
        });
        throw new JobCancelled({ fileId: null, rows: 0, written: rows, total });
      });
    return { fileId: saved.id, rows };
  }

  return {
    maxUploadBytes,

    /**
     * Stores an uploaded CSV/XLSX (streamed, at most `maxUploadBytes`), refuses zip bombs before anything is
     * inflated, detects the encoding and answers the columns, sample rows and a suggested mapping.
     */
    async upload(
      actor: Actor,
      input: { kind: ImportKind; filename: string; contentType: string; body: AsyncIterable<Buffer> },
    ): Promise<ImportView> {
      assertCan(actor, permissionFor(input.kind));
      const tail = createTailKeeper(1024 * 1024);
      const lines = createLineCounter();
      const file = await files.save(db, {
        workspaceId: actor.workspaceId,
        createdBy: actor.userId,
        name: input.filename,
        contentType: input.contentType,
        data: lines.pass(tail.pass(input.body)),
        maxBytes: maxUploadBytes,
      });
      const discard = () =>
        db.execute(sql`delete from files where workspace_id = ${actor.workspaceId} and id = ${file.id}`);
      try {
        if (file.size === 0) throw new AppError('import.unreadable', '文件是空的');
        const { head, stream } = await peek((await files.open(actor.workspaceId, file.id)).stream, 64 * 1024);
        const format: FileFormat = detectFormat({ contentType: input.contentType, filename: input.filename, head });
        const reread = async () => (await files.open(actor.workspaceId, file.id)).stream as AsyncIterable<Buffer>;
        if (format === 'xlsx') {
          // First what the archive claims (free), then what inflating it really gives (a pass without parsing XML).
          assertSafeZip(tail.tail, tail.total);
          const { worksheetRows } = await inspectZip(await reread());
          if ((worksheetRows ?? 0) > MAX_IMPORT_ROWS + 1) throw tooManyRows();
        }
        const encoding: TextEncoding = format === 'csv' ? detectEncoding(head) : 'utf-8';
        const rowsAtMost = lines.lines + (tail.tail.at(-1) === 0x0a ? 0 : 1);
        if (format === 'csv' && rowsAtMost > MAX_IMPORT_ROWS + 1) {
          // More lines than a header and MAX_IMPORT_ROWS rows: count the rows themselves (quoted line breaks and
          // empty lines do not make rows).
          if ((await countCsvRows(await reread(), encoding, MAX_IMPORT_ROWS + 1)) > MAX_IMPORT_ROWS + 1)
            throw tooManyRows();
        }
        let columns: string[] | undefined;
        const sampleRows: string[][] = [];
        for await (const sheetRow of readSheet(stream, format, encoding)) {
          if (sheetRow.cells.every((cell) => cellText(cell) === '')) continue;
          if (!columns) {
            columns = uniqueHeaders(sheetRow.cells);
            continue;
          }
          sampleRows.push(columns.map((_, index) => cellText(sheetRow.cells[index])));
          if (sampleRows.length >= SAMPLE_ROWS) break;
        }
        if (!columns) throw new AppError('import.unreadable', '文件中没有表头行');
        const customFields = input.kind === 'customers' ? await customFieldsOf(db, actor.workspaceId) : [];
        const row = await repo.insertImport(db, {
          id: newId(),
          workspaceId: actor.workspaceId,
          kind: input.kind,
          fileId: file.id,
          filename: input.filename,
          format,
          encoding,
          columns,
          sampleRows,
          suggestedMapping: suggestMapping(input.kind, columns, customFields),
          createdBy: actor.userId,
        });
        return toView(row);
      } catch (error) {
        await discard();
        throw error;
      }
    },

    get: async (actor: Actor, id: string) => toView(await getRow(actor, id)),

    importFields: async (actor: Actor, kind: ImportKind) => {
      assertCan(actor, permissionFor(kind));
      const base = (kind === 'customers' ? customerImportFields : orderImportFields).map((key) => ({
        key: key as string,
        label: importFieldLabels['zh-CN'][key],
        required: kind === 'orders' && (key === 'platform' || key === 'orderNo'),
      }));
      const custom =
        kind === 'customers'
          ? (await customFieldsOf(db, actor.workspaceId)).map((f) => ({
              key: `custom:${f.key}`,
              label: f.label,
              required: false,
            }))
          : [];
      return { items: [...base, ...custom] };
    },

    dryRun,

    /** Queues the import as a job (one at a time per file); a re-run starts over and changes only what differs. */
    async run(actor: Actor, id: string, body: ImportRunBody): Promise<Job> {
      const row = await getRow(actor, id);
      await fieldsOf(row, body);
      return db.transaction(async (tx) => {
        const locked = (await repo.lockImport(tx, actor.workspaceId, id))!;
        if (locked.jobId && (await repo.isJobActive(tx, locked.jobId)))
          throw new AppError('import.already_running', '这个文件正在导入，请等待完成');
        const job = await jobs.enqueue(tx, {
          workspaceId: actor.workspaceId,
          kind: IMPORT_JOB,
          payload: { importId: id },
          createdBy: actor.userId,
        });
        await repo.clearRejections(tx, actor.workspaceId, id);
        await repo.updateImport(tx, actor.workspaceId, id, {
          mapping: body.mapping,
          defaultPlatform: body.defaultPlatform ?? null,
          locale: body.locale ?? 'zh-CN',
          jobId: job.id,
          committedRow: 1,
          counts: { created: 0, updated: 0, unchanged: 0, rejected: 0 },
        });
        return job;
      });
    },

    exportFields: async (actor: Actor) => ({ items: await exportFields(actor) }),
    createExport,
    /** Who may cancel an import job: whoever may import that kind of file. */
    async importCancelPermission(job: { workspaceId: string; payload: unknown }): Promise<Permission> {
      const payload = z.object({ importId: z.uuid() }).safeParse(job.payload);
      const row = payload.success ? await repo.findImport(db, job.workspaceId, payload.data.importId) : undefined;
      return permissionFor(row?.kind ?? 'customers');
    },
    runImport,
    runExport,
  };
}
