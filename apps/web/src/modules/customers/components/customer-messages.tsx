import { LockOutlined, RightOutlined } from '@ant-design/icons';
import type { CustomerHistoryMessage } from '@huike/contracts';
import { Button, Empty, Skeleton, Spin, Tooltip } from 'antd';
import { memo, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { AttachmentList } from '../../../ui/attachment-list.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { formatDateTime, inWorkspace } from '../../../ui/time.ts';
import { emailMetaOf, wechatEventOf, wechatEventText } from '../../conversations/channel-meta.ts';
import { ChannelTag } from '../../conversations/components/channel-icon.tsx';
import { DeliveryMark } from '../../conversations/components/delivery-mark.tsx';
import { useCustomerMessages } from '../hooks/use-customer-channels.ts';
import '../customer-channels.css';

/**
 * 全部消息: the customer's messages on every channel in one list, newest first, each with its channel and a
 * link to its conversation; older ones load as the agent scrolls.
 */
export function CustomerMessages({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const history = useCustomerMessages(customerId);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;

  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: '0px 0px 400px 0px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (history.isPending) return <Skeleton active paragraph={{ rows: 6 }} />;
  if (history.isError && history.items.length === 0)
    return <ErrorState error={history.error} onRetry={() => void history.refetch()} compact />;
  if (history.items.length === 0)
    return (
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={t('customerChannels.historyEmpty')}
        data-testid="customer-messages-empty"
      />
    );

  let previousDay = '';
  return (
    <div className="hk-history" data-testid="customer-messages">
      {history.items.map((message) => {
        const day = inWorkspace(message.createdAt).format('YYYY-MM-DD');
        const showDay = day !== previousDay;
        previousDay = day;
        return (
          <div key={message.id}>
            {showDay && <div className="hk-history-day">{day}</div>}
            <HistoryItem message={message} />
          </div>
        );
      })}
      <div ref={sentinelRef} className="hk-history-end">
        {isFetchingNextPage ? (
          <Spin size="small" />
        ) : hasNextPage ? (
          <Button type="link" size="small" onClick={() => void fetchNextPage()} data-testid="customer-messages-more">
            {t('customerChannels.loadMore')}
          </Button>
        ) : (
          <span className="hk-muted hk-small">{t('customerChannels.historyEnd')}</span>
        )}
      </div>
    </div>
  );
}

const HistoryItem = memo(function HistoryItem({ message }: { message: CustomerHistoryMessage }) {
  const { t } = useTranslation();
  const email = emailMetaOf(message);
  const wechatEvent = wechatEventOf(message);
  const sender =
    message.senderName ??
    (message.direction === 'inbound'
      ? t('customerChannels.directions.inbound')
      : t('customerChannels.directions.outbound'));
  return (
    <div
      className={message.direction === 'inbound' ? 'hk-history-item' : 'hk-history-item hk-history-item-out'}
      data-testid="customer-message"
      data-message-id={message.id}
      data-channel-type={message.channelType}
      data-direction={message.direction}
    >
      <div className="hk-history-meta">
        <ChannelTag channelType={message.channelType} inboxName={message.inboxName} />
        <span className="hk-history-sender">{sender}</span>
        {message.private && (
          <span className="hk-msg-note-label">
            <LockOutlined /> {t('customerChannels.privateNote')}
          </span>
        )}
        <Tooltip title={formatDateTime(message.createdAt)}>
          <time dateTime={message.createdAt} className="hk-muted">
            {inWorkspace(message.createdAt).format('HH:mm')}
          </time>
        </Tooltip>
        {message.direction === 'outbound' && message.delivery && !message.private && (
          <DeliveryMark message={message} delivery={message.delivery} />
        )}
        <Link
          to={`/inbox/${message.conversationId}`}
          className="hk-history-link"
          data-testid="customer-message-conversation"
        >
          {t('customerChannels.inConversation')} <RightOutlined />
        </Link>
      </div>
      {email?.subject && <div className="hk-history-subject">{email.subject}</div>}
      {wechatEvent ? (
        <div className="hk-muted">{wechatEventText(wechatEvent, t)}</div>
      ) : (
        message.content && <div className="hk-history-content">{message.content}</div>
      )}
      {message.attachments.length > 0 && <AttachmentList attachments={message.attachments} />}
    </div>
  );
});
