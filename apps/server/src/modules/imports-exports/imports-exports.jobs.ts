import { createExportBody } from '@huike/contracts';
import { z } from 'zod';
import { type Jobs, jobActor } from '../../platform/jobs.ts';
import { EXPORT_JOB, IMPORT_JOB, type ImportsExportsService } from './imports-exports.service.ts';

export const importPayload = z.object({ importId: z.uuid() });

const exportPayload = z.object({
  target: createExportBody.shape.target,
  format: createExportBody.shape.format,
  fields: z.array(z.string()),
  actor: jobActor,
  /** Absent in jobs queued before exports had a language: Chinese. */
  locale: createExportBody.shape.locale,
});

/**
 * Imports resume after the last committed batch (kept on the import row); exports start over (idempotent). Both can
 * be cancelled by whoever may start them: an import between batches (the committed ones stay), an export between
 * pages (no file).
 */
export function defineImportsExportsJobs(jobs: Jobs, service: ImportsExportsService) {
  jobs.define({
    kind: IMPORT_JOB,
    payload: importPayload,
    run: service.runImport,
    cancelPermission: service.importCancelPermission,
  });
  jobs.define({
    kind: EXPORT_JOB,
    payload: exportPayload,
    run: service.runExport,
    cancelPermission: 'customers:export',
  });
}
