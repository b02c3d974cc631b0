import type { Conversation, Inbox } from '@huike/contracts';
import { Badge } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { CustomerAvatar } from '../../../ui/customer-avatar.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { customerLabel, previewText } from '../labels.ts';
import { ChannelIcon } from './channel-icon.tsx';
import { WaitingTimer } from './waiting-timer.tsx';

type Props = {
  conversation: Conversation;
  inbox: Inbox | undefined;
  isSelected: boolean;
  assigneeName: string | undefined;
  onSelect: (id: string) => void;
};

const isAwaitingUs = (conversation: Conversation) =>
  conversation.waitingSince !== null && (conversation.status === 'open' || conversation.status === 'pending');

export const ConversationRow = memo(function ConversationRow({
  conversation,
  inbox,
  isSelected,
  assigneeName,
  onSelect,
}: Props) {
  const { t } = useTranslation();
  const name = customerLabel(conversation, t, inbox?.channelType);
  return (
    <button
      type="button"
      className={isSelected ? 'hk-row hk-row-selected' : 'hk-row'}
      data-testid="conversation-row"
      data-conversation-id={conversation.id}
      data-status={conversation.status}
      aria-current={isSelected ? 'true' : undefined}
      onClick={() => onSelect(conversation.id)}
    >
      <div className="hk-row-avatar">
        <CustomerAvatar name={name} seed={conversation.customerId} />
        <ChannelIcon inbox={inbox} className="hk-row-channel" />
      </div>
      <div className="hk-row-main">
        <div className="hk-row-line">
          <span className="hk-row-name" title={name}>
            {name}
          </span>
          {conversation.lastUrgent && (
            <span className="hk-row-urgent" role="img" aria-label={t('insight.urgent')} data-testid="urgent-marker" />
          )}
          <RelativeTime iso={conversation.lastMessageAt} className="hk-row-time" />
        </div>
        <div className="hk-row-line">
          <span className="hk-row-preview">
            {conversation.subject && (
              <span className="hk-row-subject" data-testid="conversation-subject">
                {conversation.subject}
              </span>
            )}
            {previewText(conversation.lastMessagePreview, t)}
          </span>
          {conversation.unreadCount > 0 && (
            <Badge count={conversation.unreadCount} size="small" overflowCount={99} data-testid="unread-badge" />
          )}
        </div>
        <div className="hk-row-line hk-row-meta">
          <span className="hk-row-inbox">
            {conversation.inboxName}
            {assigneeName
              ? ` · ${assigneeName}`
              : conversation.assigneeId === null
                ? ` · ${t('inbox.unassigned')}`
                : ''}
          </span>
          {isAwaitingUs(conversation) && conversation.waitingSince && (
            <WaitingTimer since={conversation.waitingSince} />
          )}
          {conversation.status === 'snoozed' && <span className="hk-row-tag">{t('status.snoozed')}</span>}
          {conversation.status === 'resolved' && <span className="hk-row-tag">{t('status.resolved')}</span>}
        </div>
      </div>
    </button>
  );
});
