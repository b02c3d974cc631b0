import type {
  NpsSend,
  SendNpsBody,
  Survey,
  SurveyResponse,
  SurveyResponseListQuery,
  SurveySettings,
  SurveySummary,
  SurveySummaryQuery,
} from '@huike/contracts';
import { api, type Page } from '../../../api/client.ts';

export type { SurveyResponse, SurveySettings, SurveySummary };

export type ResponseFilters = Omit<SurveyResponseListQuery, 'limit' | 'cursor'>;

export const surveysApi = {
  settings: (signal?: AbortSignal) => api.get<SurveySettings>('/api/v1/surveys/settings', undefined, signal),
  saveSettings: (body: SurveySettings) => api.put<SurveySettings>('/api/v1/surveys/settings', body),
  sendCsat: (conversationId: string) => api.post<Survey>('/api/v1/surveys/csat', { conversationId }),
  countNps: (segmentId: string) => api.post<{ count: number }>('/api/v1/surveys/nps/count', { segmentId }),
  sendNps: (body: SendNpsBody) => api.post<NpsSend>('/api/v1/surveys/nps', body),
  responses: (query: ResponseFilters & { limit: number; cursor?: string }, signal?: AbortSignal) =>
    api.get<Page<SurveyResponse>>('/api/v1/surveys/responses', query, signal),
  summary: (query: SurveySummaryQuery, signal?: AbortSignal) =>
    api.get<SurveySummary>('/api/v1/surveys/summary', query, signal),
};
