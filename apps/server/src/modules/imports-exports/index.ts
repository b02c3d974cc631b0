export { exportText } from './export-labels.ts';
export { FONT_PATH, neutraliseFormula, printableInPdf } from './export-writers.ts';
export { defineImportsExportsJobs } from './imports-exports.jobs.ts';
export { importsExportsRoutes } from './imports-exports.routes.ts';
export {
  createImportsExportsService,
  EXPORT_JOB,
  IMPORT_JOB,
  type ImportsExportsService,
} from './imports-exports.service.ts';
