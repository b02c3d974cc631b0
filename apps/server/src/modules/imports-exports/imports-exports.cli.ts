import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CreateExportBody, ImportKind, ImportRunResult, Job, OrderPlatform } from '@huike/contracts';
import { exportFormats, importKinds, orderPlatforms } from '@huike/contracts';
import type { Actor } from '../../platform/access.ts';
import type { Files } from '../../platform/files.ts';
import type { Jobs } from '../../platform/jobs.ts';
import type { ImportsExportsService } from './imports-exports.service.ts';

/** What the `huike import` / `huike export` commands need from the assembled app. */
export type CliServices = {
  importsExports: ImportsExportsService;
  jobs: Jobs;
  files: Files;
  /** The workspace's owner, as whom the command acts: the given workspace id, else the first workspace. */
  actorFor(workspaceId: string | undefined): Promise<Actor>;
  out: { write(line: string): void };
};

const PROGRESS_MS = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isWorkspaceId = (value: string) => UUID.test(value);

const contentTypeOf = (file: string) =>
  file.toLowerCase().endsWith('.xlsx')
    ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
    : file.toLowerCase().endsWith('.csv')
      ? 'text/csv'
      : 'application/octet-stream';

/**
 * Runs a queued job to its end in this process (other queued jobs ahead of it run first; a worker process may
 * take it instead, then we only watch), printing its progress about once a second.
 */
async function runToEnd(services: CliServices, actor: Actor, started: Job, unit: string): Promise<Job> {
  let printed = '';
  const report = async () => {
    const job = await services.jobs.get(actor, started.id);
    const { done, total } = job.progress;
    const line = total ? `进度 ${done}/${total} ${unit}（${Math.floor((done / Math.max(total, 1)) * 100)}%）` : '';
    if (job.status === 'running' && done > 0 && line !== printed) {
      printed = line;
      services.out.write(`${line}\n`);
    }
    return job;
  };
  const timer = setInterval(() => void report().catch(() => {}), PROGRESS_MS);
  try {
    for (;;) {
      const job = await services.jobs.get(actor, started.id);
      if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') return job;
      if (!(await services.jobs.runNext())) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    clearInterval(timer);
  }
}

/**
 * `huike import customers|orders FILE [--platform P]`: upload → the suggested column mapping → run as a job, here
 * and now. `--platform` is the platform of rows without one (a file without a 平台 column, as the web's mapping step
 * offers). Rejected rows (their cells under the file's headers, then row number and reason: fix them and import that
 * file) are written next to the file as `<file>.rejected.csv`.
 */
export async function importFromCli(
  services: CliServices,
  input: { kind: string; file: string; platform?: string; workspaceId?: string },
): Promise<ImportRunResult> {
  if (!importKinds.includes(input.kind as ImportKind))
    throw new Error(`只能导入 ${importKinds.join(' 或 ')}：${input.kind}`);
  const kind = input.kind as ImportKind;
  if (input.platform !== undefined && !orderPlatforms.includes(input.platform as OrderPlatform))
    throw new Error(`未知的平台：${input.platform}（--platform 可选 ${orderPlatforms.join(' | ')}）`);
  const defaultPlatform = input.platform as OrderPlatform | undefined;
  const info = await stat(input.file).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`找不到文件：${input.file}`);
  const actor = await services.actorFor(input.workspaceId);
  const view = await services.importsExports.upload(actor, {
    kind,
    filename: path.basename(input.file),
    contentType: contentTypeOf(input.file),
    body: createReadStream(input.file),
  });
  const mapped = Object.entries(view.suggestedMapping).filter(([, field]) => field);
  services.out.write(
    `已读取 ${view.filename}（${view.format.toUpperCase()}，${view.encoding}），列对应：${mapped
      .map(([column, field]) => `${column}→${field}`)
      .join('，')}\n`,
  );
  const ignored = view.columns.filter((column) => !view.suggestedMapping[column]);
  if (ignored.length > 0) services.out.write(`未识别、不导入的列：${ignored.join('，')}\n`);
  const hasPlatformColumn = Object.values(view.suggestedMapping).includes('platform');
  if (kind === 'orders' && !hasPlatformColumn && !defaultPlatform)
    throw new Error(`文件里没有「平台」列：请用 --platform 指定整个文件的平台（${orderPlatforms.join(' | ')}）`);
  if (defaultPlatform)
    services.out.write(
      hasPlatformColumn
        ? `「平台」为空的行按 ${defaultPlatform} 导入\n`
        : kind === 'orders'
          ? `整个文件按平台 ${defaultPlatform} 导入\n`
          : `买家 ID 按平台 ${defaultPlatform} 识别\n`,
    );
  const started = await services.importsExports.run(actor, view.id, {
    mapping: view.suggestedMapping,
    defaultPlatform,
  });
  const job = await runToEnd(services, actor, started, '行');
  const result = job.result as ImportRunResult;
  const counts = `新建 ${result?.created ?? 0}，更新 ${result?.updated ?? 0}，未变化 ${result?.unchanged ?? 0}，未导入 ${result?.rejected ?? 0}`;
  if (job.status === 'cancelled') {
    // Cancelled in the web app: the batches committed before stay.
    services.out.write(`导入已取消：已处理文件前 ${result?.rowsRead ?? 0} 行（${counts}），其余行没有导入\n`);
  } else if (job.status !== 'succeeded') throw new Error(`导入失败：${job.error?.message ?? '未知错误'}`);
  else services.out.write(`导入完成：${counts}\n`);
  if (result?.reportFileId) {
    const report = `${input.file}.rejected.csv`;
    const file = await services.files.open(actor.workspaceId, result.reportFileId);
    await pipeline(file.stream, createWriteStream(report));
    services.out.write(`未导入的行及原因：${report}\n`);
  }
  return result;
}

/**
 * `huike export customers --format csv|xlsx|pdf --out FILE [--segment ID] [--q TEXT] [--fields a,b,c]`:
 * the same export job as the web app's, acting as the workspace's owner (phones unmasked), written to FILE.
 */
export async function exportFromCli(
  services: CliServices,
  input: { format: string; out: string; segmentId?: string; q?: string; fields?: string; workspaceId?: string },
): Promise<{ rows: number }> {
  if (!exportFormats.includes(input.format as never))
    throw new Error(`--format 只能是 ${exportFormats.join(' | ')}：${input.format}`);
  if (input.segmentId && !isWorkspaceId(input.segmentId)) throw new Error(`分组不存在：${input.segmentId}`);
  const actor = await services.actorFor(input.workspaceId);
  const fields = input.fields
    ? input.fields
        .split(',')
        .map((field) => field.trim())
        .filter(Boolean)
    : (await services.importsExports.exportFields(actor)).items
        .filter((field) => field.isDefault)
        .map((field) => field.key);
  if (fields.length === 0) throw new Error('--fields 至少需要一个字段');
  const target: CreateExportBody['target'] = input.segmentId
    ? { segmentId: input.segmentId }
    : input.q
      ? { q: input.q }
      : { all: true };
  const started = await services.importsExports.createExport(actor, {
    target,
    format: input.format as CreateExportBody['format'],
    fields,
  });
  const job = await runToEnd(services, actor, started, '位客户');
  if (job.status === 'cancelled') throw new Error('导出已取消，没有生成文件');
  if (job.status !== 'succeeded') throw new Error(`导出失败：${job.error?.message ?? '未知错误'}`);
  const result = job.result as { fileId: string; rows: number };
  const file = await services.files.open(actor.workspaceId, result.fileId);
  try {
    await pipeline(file.stream, createWriteStream(input.out));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`无法写入 ${input.out}：目录不存在`);
    if (code === 'EACCES') throw new Error(`无法写入 ${input.out}：没有写权限`);
    throw error;
  }
  services.out.write(`已导出 ${result.rows} 位客户到 ${input.out}\n`);
  return { rows: result.rows };
}
