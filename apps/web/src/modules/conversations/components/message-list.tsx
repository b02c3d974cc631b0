import { Button, Skeleton, Spin } from 'antd';
import { Fragment, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { inWorkspace } from '../../../ui/time.ts';
import type { EmailThread } from '../channel-meta.ts';
import type { ChatItem } from '../hooks/use-messages.ts';
import type { PendingMessage } from '../pending-messages.ts';
import { MessageBubble, PendingBubble } from './message-bubble.tsx';

type Props = {
  items: ChatItem[];
  isPending: boolean;
  error: unknown;
  onRetryLoad: () => void;
  hasOlder: boolean;
  isFetchingOlder: boolean;
  fetchOlder: () => void;
  agentName: string;
  customerName: string;
  /** Email conversations: where replies go (shown on a reply the channel has not described yet). */
  emailThread?: EmailThread;
  onRetrySend: (pending: PendingMessage) => void;
};

const createdAtOf = (item: ChatItem) => (item.kind === 'message' ? item.message.createdAt : item.pending.createdAt);
const keyOf = (item: ChatItem) => (item.kind === 'message' ? item.message.id : `pending-${item.pending.clientMsgId}`);

/**
 * The scroller is `flex-direction: column-reverse`, so it is anchored at the bottom: the newest message
 * stays in view as messages arrive, and loading older ones above does not move what the agent is reading.
 */
export function MessageList(props: Props) {
  const { t } = useTranslation();
  const scrollerRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const { hasOlder, isFetchingOlder, fetchOlder } = props;

  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasOlder) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !isFetchingOlder) fetchOlder();
      },
      { root: scrollerRef.current, rootMargin: '300px 0px 0px 0px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasOlder, isFetchingOlder, fetchOlder]);

  // A message the agent just sent brings the view back to the bottom.
  const lastItem = props.items[props.items.length - 1];
  const lastKey = lastItem ? keyOf(lastItem) : undefined;
  const isLastPending = lastItem?.kind === 'pending';
  useEffect(() => {
    if (lastKey && isLastPending) scrollerRef.current?.scrollTo({ top: 0 });
  }, [lastKey, isLastPending]);

  if (props.isPending) {
    return (
      <div className="hk-chat-scroller">
        <div className="hk-chat-skeleton">
          <Skeleton active avatar paragraph={{ rows: 2 }} />
          <Skeleton active paragraph={{ rows: 1 }} className="hk-skeleton-right" />
          <Skeleton active avatar paragraph={{ rows: 1 }} />
        </div>
      </div>
    );
  }
  if (props.error && props.items.length === 0) {
    return (
      <div className="hk-chat-scroller">
        <ErrorState error={props.error} onRetry={props.onRetryLoad} compact />
      </div>
    );
  }

  let previousDay = '';
  return (
    <div className="hk-chat-scroller" ref={scrollerRef} data-testid="message-list">
      <div className="hk-chat-messages">
        <div ref={sentinelRef} className="hk-chat-top">
          {isFetchingOlder ? (
            <Spin size="small" />
          ) : hasOlder ? (
            <Button type="link" size="small" onClick={fetchOlder}>
              {t('chat.loadOlder')}
            </Button>
          ) : props.items.length > 0 ? (
            <span className="hk-muted">{t('chat.beginning')}</span>
          ) : null}
        </div>
        {props.items.length === 0 && (
          <EmptyState title={t('chat.emptyTitle')} description={t('chat.emptyDescription')} />
        )}
        {props.items.map((item) => {
          const day = inWorkspace(createdAtOf(item)).format('YYYY-MM-DD');
          const showDay = day !== previousDay;
          previousDay = day;
          return (
            <Fragment key={keyOf(item)}>
              {showDay && (
                <div className="hk-chat-day">
                  <span>{day}</span>
                </div>
              )}
              {item.kind === 'message' ? (
                <MessageBubble
                  message={item.message}
                  customerName={props.customerName}
                  emailThread={props.emailThread}
                />
              ) : (
                <PendingBubble
                  pending={item.pending}
                  senderName={props.agentName}
                  onRetry={() => props.onRetrySend(item.pending)}
                />
              )}
            </Fragment>
          );
        })}
      </div>
    </div>
  );
}
