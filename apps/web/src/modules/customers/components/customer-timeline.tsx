import {
  CheckCircleOutlined,
  EditOutlined,
  ImportOutlined,
  MergeCellsOutlined,
  MessageOutlined,
  ProfileOutlined,
  RiseOutlined,
  ShoppingOutlined,
  TagsOutlined,
} from '@ant-design/icons';
import type { TimelineEntry } from '@huike/contracts';
import { App, Button, Empty, Popconfirm, Skeleton, Timeline } from 'antd';
import type { TFunction } from 'i18next';
import { type ReactNode, useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { formatFen } from '../../orders/money.ts';
import { customersApi } from '../api/customers-api.ts';
import { useCustomerTimeline, useCustomFields, useRefreshCustomers } from '../hooks/use-customers.ts';

/** `order.status_changed` → `order_status_changed` (i18n keys cannot contain dots). */
const kindKey = (kind: string) => kind.replace(/[.-]/g, '_');

const icons: Record<string, ReactNode> = {
  order_created: <ShoppingOutlined />,
  order_status_changed: <ShoppingOutlined />,
  tags_changed: <TagsOutlined />,
  conversation_tags_changed: <TagsOutlined />,
  profile_updated: <EditOutlined />,
  lifecycle_changed: <RiseOutlined />,
  merged: <MergeCellsOutlined />,
  merge_undone: <MergeCellsOutlined />,
  imported: <ImportOutlined />,
  conversation_started: <MessageOutlined />,
  conversation_resolved: <CheckCircleOutlined />,
  ticket_created: <ProfileOutlined />,
  ticket_status_changed: <ProfileOutlined />,
};

const ticketStatus = (t: TFunction, value: unknown) =>
  t(`tickets.statuses.${str(value)}` as 'tickets.statuses.new', { defaultValue: str(value) });

const str = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

function names(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value
    .map((item) =>
      typeof item === 'string' ? item : item && typeof item === 'object' ? str((item as { name?: unknown }).name) : '',
    )
    .filter(Boolean)
    .join('、');
}

/** Custom field key → its label (archived fields included), for naming changed custom fields. */
export type CustomFieldLabels = ReadonlyMap<string, string>;

/**
 * A changed field's name: built-in fields from the dictionary; custom fields (`customFields.<key>`) by the label
 * their admin gave, a deleted one by its key (said to be deleted), or the bare key while the labels are unknown.
 */
function fieldName(t: TFunction, field: string, customLabels: CustomFieldLabels | undefined): string {
  if (field.startsWith('customFields.')) {
    const key = field.slice('customFields.'.length);
    if (!customLabels) return key;
    return customLabels.get(key) ?? t('customerData.removedCustomField', { key });
  }
  return t(`customerData.fieldNames.${field}` as 'customerData.fieldNames.name', { defaultValue: field });
}

const fieldList = (t: TFunction, value: unknown, customLabels: CustomFieldLabels | undefined): string[] =>
  (Array.isArray(value)
    ? value.map((item) => (typeof item === 'string' ? item : str((item as { field?: unknown })?.field)))
    : value && typeof value === 'object'
      ? Object.keys(value)
      : []
  )
    .filter(Boolean)
    .map((field) => fieldName(t, field, customLabels));

function label(t: TFunction, group: 'stages' | 'tiers', value: unknown): string {
  const text = str(value);
  return text ? t(`value.${group}.${text}` as 'value.stages.new', { defaultValue: text }) : '—';
}

/** One line saying what happened, from the event's details. */
export function describeEntry(entry: TimelineEntry, t: TFunction, customLabels?: CustomFieldLabels): ReactNode {
  const d = entry.details;
  switch (kindKey(entry.kind)) {
    case 'order_created':
      return t('timeline.orderCreated', {
        platform: t(`orders.platforms.${str(d.platform)}` as 'orders.platforms.other', {
          defaultValue: str(d.platform),
        }),
        orderNo: str(d.orderNo),
        amount: formatFen(typeof d.amountFen === 'number' ? d.amountFen : 0),
      });
    case 'order_status_changed':
      return t('timeline.orderStatusChanged', {
        orderNo: str(d.orderNo),
        from: t(`orders.statuses.${str(d.from)}` as 'orders.statuses.paid', { defaultValue: str(d.from) }),
        to: t(`orders.statuses.${str(d.to)}` as 'orders.statuses.paid', { defaultValue: str(d.to) }),
      });
    case 'lifecycle_changed':
      return t('timeline.lifecycleChanged', { from: label(t, 'stages', d.from), to: label(t, 'stages', d.to) });
    case 'tags_changed':
    case 'conversation_tags_changed': {
      const added = names(d.added);
      const removed = names(d.removed);
      const parts = [
        added && t('timeline.tagsAdded', { names: added }),
        removed && t('timeline.tagsRemoved', { names: removed }),
      ].filter(Boolean);
      return `${kindKey(entry.kind) === 'conversation_tags_changed' ? t('timeline.conversationTagsPrefix') : ''}${parts.join('；')}`;
    }
    case 'profile_updated': {
      const labels = fieldList(t, d.changes ?? d.fields, customLabels);
      return labels.length > 0
        ? t('timeline.profileUpdatedFields', { fields: labels.join(t('timeline.fieldSeparator')) })
        : t('timeline.kinds.profile_updated');
    }
    case 'imported': {
      if (d.action === 'created') return t('timeline.importCreated');
      const labels = fieldList(t, d.fields, customLabels);
      return labels.length > 0
        ? t('timeline.importUpdatedFields', { fields: labels.join(t('timeline.fieldSeparator')) })
        : t('timeline.importUpdated');
    }
    case 'marketing_opted_out':
      return d.channel === 'manual'
        ? t('customerChannels.marketing.timelineOptedOutManual')
        : t('timeline.kinds.marketing_opted_out');
    case 'marketing_opted_in':
      return t('customerChannels.marketing.timelineOptedIn');
    case 'ticket_created':
      return t('timeline.ticketCreated', { number: str(d.number), subject: str(d.subject) });
    case 'ticket_status_changed':
      return t('timeline.ticketStatusChanged', {
        number: str(d.number),
        subject: str(d.subject),
        from: ticketStatus(t, d.from),
        to: ticketStatus(t, d.to),
      });
    case 'merged':
      if (d.reason === 'shop_user_sign_in') return t('timeline.mergedAtSignIn');
      return str(d.otherName) ? t('timeline.mergedNamed', { name: str(d.otherName) }) : t('timeline.kinds.merged');
    default:
      return t(`timeline.kinds.${kindKey(entry.kind)}` as 'timeline.kinds.merged', { defaultValue: entry.kind });
  }
}

/** 时间线: profile edits, tags, orders, merges, conversations and tickets, newest first, loading more as you scroll. */
export function CustomerTimeline({ customerId, canMerge }: { customerId: string; canMerge: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const refresh = useRefreshCustomers();
  const undo = (mergeId: string) =>
    customersApi.undoMerge(mergeId).then(
      () => {
        refresh();
        void message.success(t('merge.undone'));
      },
      (error: unknown) => {
        // Perhaps undone meanwhile elsewhere: the refetched timeline then shows it and drops the link.
        refresh();
        void message.error(errorMessage(error, t));
      },
    );
  const timeline = useCustomerTimeline(customerId);
  // Archived fields too: an edit made before the field was archived still names it.
  const fields = useCustomFields(true);
  const customLabels = useMemo(
    () => (fields.data ? new Map(fields.data.map((field) => [field.key, field.label])) : undefined),
    [fields.data],
  );
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = timeline;

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (timeline.isPending || fields.isPending) return <Skeleton active paragraph={{ rows: 6 }} />;
  if (timeline.isError) return <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} compact />;
  const entries = timeline.data.pages.flatMap((page) => page.items);
  if (entries.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('timeline.empty')} />;
  // An undo is newer than its merge, so it is loaded whenever the merge entry is.
  const undoneMergeIds = new Set(
    entries.filter((entry) => kindKey(entry.kind) === 'merge_undone').map((entry) => str(entry.details.mergeId)),
  );

  return (
    <div className="hk-timeline" data-testid="customer-timeline">
      <Timeline
        items={entries.map((entry) => ({
          key: entry.id,
          icon: icons[kindKey(entry.kind)],
          content: (
            <div className="hk-timeline-entry" data-testid="timeline-entry" data-kind={entry.kind}>
              <div className="hk-timeline-text">
                {describeEntry(entry, t, customLabels)}
                {canMerge &&
                  kindKey(entry.kind) === 'merged' &&
                  str(entry.details.mergeId) &&
                  !undoneMergeIds.has(str(entry.details.mergeId)) && (
                    <Popconfirm
                      title={t('timeline.undoMergeConfirm')}
                      onConfirm={() => undo(str(entry.details.mergeId))}
                    >
                      <Button type="link" size="small" data-testid="timeline-undo-merge">
                        {t('merge.undo')}
                      </Button>
                    </Popconfirm>
                  )}
                {entry.conversationId && (
                  <>
                    {' '}
                    <Link to={`/inbox/${entry.conversationId}`}>{t('timeline.openConversation')}</Link>
                  </>
                )}
                {str(entry.details.ticketId) && (
                  <>
                    {' '}
                    <Link to={`/tickets/${str(entry.details.ticketId)}`}>{t('timeline.openTicket')}</Link>
                  </>
                )}
              </div>
              <div className="hk-muted hk-small">
                {entry.actor ? entry.actor.name : t('timeline.system')} · <RelativeTime iso={entry.at} />
              </div>
            </div>
          ),
        }))}
      />
      <div ref={sentinel} />
      {hasNextPage && (
        <Button type="link" size="small" loading={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          {t('common.loadMore')}
        </Button>
      )}
      {!hasNextPage && entries.length > 10 && <div className="hk-list-end">{t('timeline.end')}</div>}
    </div>
  );
}
