import { SearchOutlined } from '@ant-design/icons';
import type { Conversation, ConversationStatus, Inbox, User } from '@huike/contracts';
import { Badge, Button, Input, Select, Skeleton, Spin, Tabs } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import type { AssigneeFilter } from '../api/conversations-api.ts';
import { useConversationCounts } from '../hooks/use-conversations.ts';
import type { InboxFilterState, StatusFilter } from '../hooks/use-inbox-filters.ts';
import { ConversationRow } from './conversation-row.tsx';

type Props = {
  state: InboxFilterState;
  onChange: (change: Partial<InboxFilterState>) => void;
  conversations: Conversation[];
  isPending: boolean;
  error: unknown;
  onRetry: () => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  selectedId: string | undefined;
  onSelect: (id: string) => void;
  inboxes: Inbox[];
  users: Map<string, User>;
};

const statusOptions: StatusFilter[] = ['open', 'pending', 'snoozed', 'resolved', 'any'];

function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  // Search as the agent types, once they pause.
  useEffect(() => {
    if (draft.trim() === value) return;
    const timer = window.setTimeout(() => onSearch(draft), 350);
    return () => window.clearTimeout(timer);
  }, [draft, value, onSearch]);
  return (
    <Input
      allowClear
      prefix={<SearchOutlined />}
      placeholder={t('inbox.searchPlaceholder')}
      value={draft}
      onChange={(event) => setDraft(event.target.value)}
      onPressEnter={() => onSearch(draft)}
      data-testid="conversation-search"
    />
  );
}

export function ConversationList(props: Props) {
  const { t } = useTranslation();
  const { state, onChange, conversations, selectedId, onSelect, inboxes, users } = props;
  const counts = useConversationCounts(
    state.status === 'any' ? undefined : (state.status as ConversationStatus),
    state.q,
  );
  const sentinelRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = props;

  // Load the next page when the bottom of the list scrolls into view.
  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) fetchNextPage();
      },
      { root: listRef.current, rootMargin: '200px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Keep the selected row visible when moving with the keyboard.
  useEffect(() => {
    if (!selectedId) return;
    const row = listRef.current?.querySelector(`[data-conversation-id="${selectedId}"]`);
    row?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  const inboxMap = new Map(inboxes.map((inbox) => [inbox.id, inbox]));
  const tabLabel = (key: AssigneeFilter) => (
    <span className="hk-tab-label">
      {t(`inbox.tabs.${key}`)}
      <Badge
        // While the counts load, a dash rather than a 0 that would be wrong.
        count={counts.data ? counts.data[key] : '–'}
        showZero
        overflowCount={999}
        size="small"
        color={
          key === 'unassigned' && (counts.data?.unassigned ?? 0) > 0
            ? '#fa541c'
            : key === state.tab
              ? '#1677ff'
              : '#bfbfbf'
        }
        data-testid={`count-${key}`}
      />
    </span>
  );

  const isFiltered = Boolean(state.q || state.inboxId);

  return (
    <div className="hk-list">
      <div className="hk-list-header">
        <Tabs
          size="small"
          activeKey={state.tab}
          onChange={(key) => onChange({ tab: key as AssigneeFilter })}
          items={(['mine', 'unassigned', 'all'] as const).map((key) => ({ key, label: tabLabel(key) }))}
          className="hk-list-tabs"
        />
        <div className="hk-list-filters">
          <Select<StatusFilter>
            size="small"
            value={state.status}
            onChange={(status) => onChange({ status })}
            options={statusOptions.map((status) => ({
              value: status,
              label: status === 'any' ? t('status.any') : t(`status.${status}`),
            }))}
            popupMatchSelectWidth={false}
            style={{ width: 96 }}
            data-testid="status-filter"
          />
          <Select<string>
            size="small"
            value={state.inboxId ?? ''}
            onChange={(inboxId) => onChange({ inboxId: inboxId || undefined })}
            options={[
              { value: '', label: t('inbox.allInboxes') },
              ...inboxes.map((inbox) => ({ value: inbox.id, label: inbox.name })),
            ]}
            popupMatchSelectWidth={false}
            style={{ flex: 1, minWidth: 0 }}
            data-testid="inbox-filter"
          />
        </div>
        <SearchBox value={state.q} onSearch={(q) => onChange({ q })} />
      </div>
      <div className="hk-list-body" ref={listRef} data-testid="conversation-list">
        {props.isPending ? (
          <div className="hk-list-skeleton">
            {[0, 1, 2, 3, 4, 5].map((key) => (
              <Skeleton key={key} avatar={{ size: 36 }} active title={{ width: '60%' }} paragraph={{ rows: 1 }} />
            ))}
          </div>
        ) : props.error ? (
          <ErrorState error={props.error} onRetry={props.onRetry} compact />
        ) : conversations.length === 0 ? (
          isFiltered ? (
            <EmptyState
              title={t('inbox.emptyFilteredTitle')}
              description={t('inbox.emptyFilteredDescription')}
              action={
                <Button size="small" onClick={() => onChange({ q: '', inboxId: undefined })}>
                  {t('inbox.clearFilters')}
                </Button>
              }
            />
          ) : state.tab === 'mine' && (counts.data?.unassigned ?? 0) > 0 ? (
            <EmptyState
              title={t('inbox.emptyMineTitle')}
              description={t('inbox.emptyMineDescription', { count: counts.data?.unassigned ?? 0 })}
              action={
                <Button size="small" type="primary" onClick={() => onChange({ tab: 'unassigned' })}>
                  {t('inbox.goUnassigned')}
                </Button>
              }
            />
          ) : state.status === 'open' || state.status === 'any' ? (
            <EmptyState title={t('inbox.emptyTitle')} description={t('inbox.emptyDescription')} />
          ) : (
            <EmptyState title={t('inbox.emptyStatusTitle', { status: t(`status.${state.status}`) })} />
          )
        ) : (
          <>
            {conversations.map((conversation) => (
              <ConversationRow
                key={conversation.id}
                conversation={conversation}
                inbox={inboxMap.get(conversation.inboxId)}
                isSelected={conversation.id === selectedId}
                assigneeName={conversation.assigneeId ? users.get(conversation.assigneeId)?.name : undefined}
                onSelect={onSelect}
              />
            ))}
            <div ref={sentinelRef} className="hk-list-end">
              {isFetchingNextPage ? <Spin size="small" /> : hasNextPage ? null : t('inbox.endOfList')}
            </div>
          </>
        )}
      </div>
    </div>
  );
}
