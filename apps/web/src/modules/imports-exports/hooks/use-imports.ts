import type { ImportKind, ImportMappingBody, ImportRunBody } from '@huike/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { exportsApi, importsApi } from '../api/imports-exports-api.ts';

export function useImportFields(kind: ImportKind) {
  return useQuery({
    queryKey: ['imports', 'fields', kind],
    queryFn: ({ signal }) => importsApi.fields(kind, signal),
    staleTime: 5 * 60_000,
  });
}

export function useUploadImport() {
  return useMutation({
    mutationFn: ({ kind, file }: { kind: ImportKind; file: File }) => importsApi.upload(kind, file),
  });
}

export function useDryRun() {
  return useMutation({
    mutationFn: ({ importId, body }: { importId: string; body: ImportMappingBody }) =>
      importsApi.dryRun(importId, body),
  });
}

export function useRunImport() {
  return useMutation({
    mutationFn: ({ importId, body }: { importId: string; body: ImportRunBody }) => importsApi.run(importId, body),
  });
}

export function useExportFields(enabled: boolean) {
  return useQuery({
    queryKey: ['exports', 'fields'],
    queryFn: ({ signal }) => exportsApi.fields(signal),
    enabled,
    staleTime: 60_000,
  });
}

export function useCreateExport() {
  return useMutation({ mutationFn: exportsApi.create });
}
