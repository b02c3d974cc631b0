import type { SurveySummaryQuery } from '@huike/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ResponseFilters, surveysApi } from '../api/surveys-api.ts';

export const surveyKeys = {
  all: ['surveys'] as const,
  settings: ['surveys', 'settings'] as const,
  responses: (filters: ResponseFilters, limit: number, cursor?: string) =>
    ['surveys', 'responses', filters, limit, cursor] as const,
  summary: (query: SurveySummaryQuery) => ['surveys', 'summary', query] as const,
};

export function useSurveySettings() {
  return useQuery({ queryKey: surveyKeys.settings, queryFn: ({ signal }) => surveysApi.settings(signal) });
}

export function useSaveSurveySettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: surveysApi.saveSettings,
    onSuccess: (settings) => client.setQueryData(surveyKeys.settings, settings),
  });
}

export function useSurveyResponses(filters: ResponseFilters, limit: number, cursor?: string) {
  return useQuery({
    queryKey: surveyKeys.responses(filters, limit, cursor),
    queryFn: ({ signal }) => surveysApi.responses({ ...filters, limit, cursor }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useSurveySummary(query: SurveySummaryQuery) {
  return useQuery({
    queryKey: surveyKeys.summary(query),
    queryFn: ({ signal }) => surveysApi.summary(query, signal),
    placeholderData: keepPreviousData,
  });
}

export function useSendCsat() {
  return useMutation({ mutationFn: surveysApi.sendCsat });
}
