import type {
  CreateExportBody,
  ExportField,
  ImportDryRunResult,
  ImportKind,
  ImportMappingBody,
  ImportRunBody,
  ImportUploadResponse,
  Job,
} from '@huike/contracts';
import { api } from '../../../api/client.ts';

export type ImportFieldOption = { key: string; label: string; required: boolean };

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The Content-Type the upload route expects for this file (by extension; browsers often leave it empty). */
export function uploadContentType(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv') || name.endsWith('.txt')) return 'text/csv';
  if (name.endsWith('.xlsx')) return xlsxType;
  return 'application/octet-stream';
}

export const importsApi = {
  upload: (kind: ImportKind, file: File) =>
    api.upload<ImportUploadResponse>('/api/v1/imports', { kind, filename: file.name }, file, uploadContentType(file)),
  fields: (kind: ImportKind, signal?: AbortSignal) =>
    api.get<{ items: ImportFieldOption[] }>('/api/v1/imports/fields', { kind }, signal),
  dryRun: (importId: string, body: ImportMappingBody) =>
    api.post<ImportDryRunResult>(`/api/v1/imports/${importId}/dry-run`, body),
  run: (importId: string, body: ImportRunBody) => api.post<Job>(`/api/v1/imports/${importId}/run`, body),
};

export const exportsApi = {
  fields: (signal?: AbortSignal) => api.get<{ items: ExportField[] }>('/api/v1/exports/fields', undefined, signal),
  create: (body: CreateExportBody) => api.post<Job>('/api/v1/exports', body),
};
