import { type ConversationStatus, conversationStatuses } from '@huike/contracts';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { AssigneeFilter, ConversationFilters } from '../api/conversations-api.ts';

export type StatusFilter = ConversationStatus | 'any';
const tabs: readonly AssigneeFilter[] = ['mine', 'unassigned', 'all'];

export type InboxFilterState = {
  tab: AssigneeFilter;
  status: StatusFilter;
  inboxId: string | undefined;
  q: string;
};

/** The workbench filters live in the URL (?tab=&status=&inbox=&q=), so reloads and links keep them. */
export function useInboxFilters() {
  const [params, setParams] = useSearchParams();
  const state = useMemo<InboxFilterState>(() => {
    const tab = params.get('tab');
    const status = params.get('status');
    return {
      tab: tabs.includes(tab as AssigneeFilter) ? (tab as AssigneeFilter) : 'all',
      status:
        status === 'any'
          ? 'any'
          : conversationStatuses.includes(status as ConversationStatus)
            ? (status as ConversationStatus)
            : 'open',
      inboxId: params.get('inbox') || undefined,
      q: params.get('q') ?? '',
    };
  }, [params]);

  const filters = useMemo<ConversationFilters>(() => {
    const result: ConversationFilters = { assignee: state.tab };
    if (state.status !== 'any') result.status = state.status;
    if (state.inboxId) result.inboxId = state.inboxId;
    if (state.q.trim()) result.q = state.q.trim();
    return result;
  }, [state]);

  const update = useCallback(
    (change: Partial<InboxFilterState>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          const apply = (key: string, value: string | undefined, fallback?: string) => {
            if (!value || value === fallback) next.delete(key);
            else next.set(key, value);
          };
          if ('tab' in change) apply('tab', change.tab, 'all');
          if ('status' in change) apply('status', change.status, 'open');
          if ('inboxId' in change) apply('inbox', change.inboxId);
          if ('q' in change) apply('q', change.q?.trim());
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  return { state, filters, update };
}
