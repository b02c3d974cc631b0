import type { Session, UpdateWorkspaceInput, Workspace } from '@huike/contracts';
import { api } from '../../../api/client.ts';

export type SetupInput = { workspaceName: string; timezone: string; name: string; email: string; password: string };

export const setupApi = {
  getStatus: (signal?: AbortSignal) => api.get<{ needsSetup: boolean }>('/api/v1/setup', undefined, signal),
  setup: (input: SetupInput) => api.post<Session>('/api/v1/setup', input),
  updateWorkspace: (input: UpdateWorkspaceInput) => api.patch<Workspace>('/api/v1/workspace', input),
};
