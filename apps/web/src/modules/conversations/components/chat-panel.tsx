import { ClockCircleOutlined } from '@ant-design/icons';
import type { Conversation, Team, User } from '@huike/contracts';
import { Alert, Tooltip } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatUpcoming } from '../../../ui/time.ts';
import { useMarkConversationRead } from '../hooks/use-conversations.ts';
import { newClientMsgId, useMessages, useSendMessage } from '../hooks/use-messages.ts';
import { customerLabel } from '../labels.ts';
import { ChatHeader } from './chat-header.tsx';
import { Composer } from './composer.tsx';
import { MessageList } from './message-list.tsx';

type Props = {
  conversation: Conversation;
  me: User;
  users: Map<string, User>;
  agents: User[];
  teams: Team[];
  canReply: boolean;
  canAssign: boolean;
  canChangeStatus: boolean;
};

/** The centre of the workbench: who, what was said, and the composer. */
export function ChatPanel({ conversation, me, users, agents, teams, canReply, canAssign, canChangeStatus }: Props) {
  const { t } = useTranslation();
  const messages = useMessages(conversation.id);
  const send = useSendMessage(conversation.id);
  const { mutate: markRead } = useMarkConversationRead();

  // Opening a conversation reads it; while it stays open, new customer messages are read as they come.
  const markedRef = useRef<string | null>(null);
  const { id, unreadCount } = conversation;
  useEffect(() => {
    const isFirstOpen = markedRef.current !== id;
    if (!isFirstOpen && unreadCount === 0) return;
    if (!isFirstOpen && document.visibilityState !== 'visible') return;
    const timer = window.setTimeout(
      () => {
        markedRef.current = id;
        markRead(id);
      },
      isFirstOpen ? 0 : 800,
    );
    return () => window.clearTimeout(timer);
  }, [id, unreadCount, markRead]);

  const { fetchNextPage } = messages;
  return (
    <div className="hk-chat" data-testid="chat" data-conversation-id={conversation.id}>
      <ChatHeader
        conversation={conversation}
        users={users}
        teams={teams}
        agents={agents}
        meId={me.id}
        canAssign={canAssign}
        canChangeStatus={canChangeStatus}
      />
      <MessageList
        items={messages.items}
        isPending={messages.isPending}
        error={messages.error}
        onRetryLoad={() => void messages.refetch()}
        hasOlder={messages.hasNextPage}
        isFetchingOlder={messages.isFetchingNextPage}
        fetchOlder={() => void fetchNextPage()}
        agentName={me.name}
        customerName={customerLabel(conversation, t)}
        onRetrySend={(pending) =>
          send.mutate({
            content: pending.content,
            isPrivate: pending.private,
            clientMsgId: pending.clientMsgId,
            attachments: pending.attachments,
          })
        }
      />
      {conversation.status === 'snoozed' && conversation.snoozedUntil && (
        <Alert
          type="warning"
          showIcon
          icon={<ClockCircleOutlined />}
          banner
          title={
            <Tooltip title={formatDateTime(conversation.snoozedUntil)}>
              <span data-testid="snoozed-banner">
                {t('chat.snoozedUntil', { time: formatUpcoming(conversation.snoozedUntil, t) })}
              </span>
            </Tooltip>
          }
          className="hk-chat-banner"
        />
      )}
      {conversation.status === 'resolved' && canReply && (
        <Alert type="info" showIcon banner title={t('chat.resolvedBanner')} className="hk-chat-banner" />
      )}
      <Composer
        conversationId={conversation.id}
        isDisabled={!canReply}
        disabledReason={t('chat.readOnly')}
        onSend={(content, mode, attachments) =>
          send.mutate({ content, isPrivate: mode === 'note', clientMsgId: newClientMsgId(), attachments })
        }
      />
    </div>
  );
}
