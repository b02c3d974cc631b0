import type { User } from '@huike/contracts';
import { App, Button, Empty, Form, Input, Skeleton, Timeline } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AttachmentField, type StoredAttachment } from '../../../ui/attachment-field.tsx';
import { AttachmentList } from '../../../ui/attachment-list.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import type { TicketTimelineEntry } from '../api/tickets-api.ts';
import { useCommentTicket, useTicketTimeline } from '../hooks/use-tickets.ts';

type Props = { ticketId: string; users: Map<string, User>; canComment: boolean; customerName?: string | null };

const str = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

const fieldKeys = ['subject', 'description', 'category', 'severity', 'teamId', 'customerId'] as const;

/** One line per entry: who did what (status, hand-over, notes with files, merges, breaches, messages). */
function EntryText({ entry, users }: { entry: TicketTimelineEntry; users: Map<string, User> }) {
  const { t } = useTranslation();
  const data = entry.data ?? {};
  const statusName = (value: string | undefined) =>
    value && value in { new: 1, open: 1, waiting_customer: 1, waiting_third_party: 1, resolved: 1, closed: 1 }
      ? t(`tickets.statuses.${value as 'new'}`)
      : (value ?? '');
  const userName = (id: unknown, name: unknown) =>
    str(name) ?? (typeof id === 'string' ? (users.get(id)?.name ?? '—') : '—');
  switch (entry.kind) {
    case 'created':
      return <>{t('tickets.timeline.created')}</>;
    case 'status_changed':
      return <>{t('tickets.timeline.statusChanged', { status: statusName(str(data.to)) })}</>;
    case 'assigned':
      return data.toId
        ? t('tickets.timeline.assigned', { name: userName(data.toId, data.toName) })
        : t('tickets.timeline.unassigned');
    case 'comment':
      return <>{entry.internal ? t('tickets.timeline.comment') : t('tickets.timeline.reply')}</>;
    case 'merged':
      return <>{t('tickets.timeline.mergedInto', { number: String(data.targetNumber ?? '') })}</>;
    case 'merged_from':
      return <>{t('tickets.timeline.mergedFrom', { number: String(data.sourceNumber ?? '') })}</>;
    case 'sla_breached':
    case 'escalated': {
      const target = str(data.target);
      const label =
        target === 'first_response' || target === 'resolution' || target === 'escalation'
          ? t(`tickets.sla.${target}`)
          : '';
      return entry.kind === 'escalated'
        ? t('tickets.timeline.escalated')
        : t('tickets.timeline.slaBreached', { target: label });
    }
    case 'message':
      return data.senderKind === 'customer'
        ? t('tickets.timeline.fromCustomer')
        : data.senderKind === 'agent'
          ? t('tickets.timeline.fromAgent')
          : t('tickets.timeline.fromSystem');
    case 'orders_changed':
      return <>{t('tickets.timeline.ordersChanged')}</>;
    case 'watchers_changed':
      return <>{t('tickets.timeline.watchersChanged')}</>;
    case 'sla_changed':
      return <>{t('tickets.timeline.slaChanged', { policy: str(data.toPolicy) ?? '' })}</>;
    case 'field_changed': {
      const field = fieldKeys.find((key) => key === data.field);
      return <>{t('tickets.timeline.fieldChanged', { field: field ? t(`tickets.timeline.fields.${field}`) : '' })}</>;
    }
    default:
      return <>{t('tickets.timeline.other')}</>;
  }
}

/** 处理记录: every event, hand-over and internal note of the ticket, oldest first, with the note box below. */
export function TicketTimeline({ ticketId, users, canComment, customerName }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const timeline = useTicketTimeline(ticketId);
  const comment = useCommentTicket(ticketId);
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<StoredAttachment[]>([]);

  const send = () => {
    const text = body.trim();
    if (!text && files.length === 0) return;
    comment.mutate(
      { body: text, internal: true, attachmentIds: files.map((file) => file.fileId) },
      {
        onSuccess: () => {
          setBody('');
          setFiles([]);
          void message.success(t('tickets.timeline.sent'));
        },
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  };

  const entries = [...(timeline.data ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return (
    <div className="hk-ticket-timeline" data-testid="ticket-timeline">
      {timeline.isPending ? (
        <Skeleton active paragraph={{ rows: 4 }} />
      ) : timeline.isError ? (
        <ErrorState error={timeline.error} onRetry={() => void timeline.refetch()} compact />
      ) : entries.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tickets.timeline.empty')} />
      ) : (
        <Timeline
          items={entries.map((entry) => {
            const isNote = entry.kind === 'comment' && entry.internal;
            const isMessage = entry.kind === 'message';
            const actor =
              (isMessage && entry.data?.senderKind === 'customer'
                ? (str(entry.data?.senderName) ?? customerName ?? t('customer.anonymous'))
                : null) ??
              str(entry.data?.senderName) ??
              entry.actorName ??
              (entry.actorId ? (users.get(entry.actorId)?.name ?? '—') : t('tickets.timeline.system'));
            return {
              key: entry.id,
              color: entry.kind === 'sla_breached' ? 'red' : isNote ? 'gold' : isMessage ? 'gray' : 'blue',
              content: (
                <div className="hk-ticket-entry" data-testid="ticket-timeline-entry" data-kind={entry.kind}>
                  <div className="hk-ticket-entry-head">
                    <span className="hk-strong">{actor}</span>
                    <span className="hk-muted">
                      <EntryText entry={entry} users={users} />
                    </span>
                    <RelativeTime iso={entry.createdAt} className="hk-muted hk-small" />
                  </div>
                  {entry.body && <div className={isNote ? 'hk-ticket-note' : 'hk-ticket-entry-body'}>{entry.body}</div>}
                  {entry.attachments && entry.attachments.length > 0 && (
                    <AttachmentList attachments={entry.attachments} />
                  )}
                </div>
              ),
            };
          })}
        />
      )}
      {canComment && (
        <Form layout="vertical" className="hk-ticket-comment" onFinish={send}>
          <Input.TextArea
            value={body}
            onChange={(event) => setBody(event.target.value)}
            autoSize={{ minRows: 3, maxRows: 10 }}
            maxLength={10_000}
            placeholder={t('tickets.timeline.placeholder')}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                send();
              }
            }}
            data-testid="ticket-comment-input"
          />
          <div className="hk-ticket-comment-foot">
            <AttachmentField value={files} onChange={setFiles} max={5} testId="ticket-comment-files" />
            <Button
              type="primary"
              htmlType="submit"
              loading={comment.isPending}
              disabled={!body.trim() && files.length === 0}
              data-testid="ticket-comment-send"
            >
              {t('tickets.timeline.send')}
            </Button>
          </div>
        </Form>
      )}
    </div>
  );
}
