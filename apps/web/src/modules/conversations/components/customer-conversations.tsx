import { Button, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useConversationList } from '../hooks/use-conversations.ts';
import { previewText } from '../labels.ts';
import { StatusTag } from './status-tag.tsx';

type Props = { customerId: string; currentId?: string; onOpen: (id: string) => void };

/** The customer's other conversations (历史), newest activity first. */
export function CustomerConversations({ customerId, currentId, onOpen }: Props) {
  const { t } = useTranslation();
  const list = useConversationList({ assignee: 'all', customerId });
  if (list.isPending) return <Skeleton active paragraph={{ rows: 3 }} title={false} />;
  if (list.isError) return <div className="hk-muted">{t('errors.loadFailed')}</div>;
  const items = [...list.conversations].sort((a, b) => Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt));
  if (items.length === 0) return <div className="hk-muted">{t('customer.noHistory')}</div>;
  return (
    <div className="hk-history" data-testid="customer-history">
      {items.map((item) => (
        <button
          type="button"
          key={item.id}
          className={item.id === currentId ? 'hk-history-item hk-history-current' : 'hk-history-item'}
          onClick={() => onOpen(item.id)}
          data-testid="history-row"
          data-conversation-id={item.id}
        >
          <div className="hk-history-line">
            <StatusTag status={item.status} />
            <span className="hk-muted hk-history-inbox">{item.inboxName}</span>
            <RelativeTime iso={item.lastMessageAt} className="hk-muted hk-history-time" />
          </div>
          <div className="hk-history-preview">
            {item.id === currentId ? t('customer.currentConversation') : previewText(item.lastMessagePreview, t)}
          </div>
        </button>
      ))}
      {list.hasNextPage && (
        <Button type="link" size="small" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('common.loadMore')}
        </Button>
      )}
    </div>
  );
}
