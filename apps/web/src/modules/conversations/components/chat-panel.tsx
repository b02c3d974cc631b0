import { ClockCircleOutlined } from '@ant-design/icons';
import type { Conversation, Team, User } from '@huike/contracts';
import { Alert, Tooltip } from 'antd';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { signalAgentTyping } from '../../../realtime/typing.ts';
import { formatDateTime, formatUpcoming } from '../../../ui/time.ts';
import { useCustomer } from '../../customers/hooks/use-customers.ts';
import { useInboxMap } from '../../inboxes/hooks/use-inboxes.ts';
import { type EmailThread, threadCustomerAddress, threadSubject } from '../channel-meta.ts';
import { useMarkConversationRead } from '../hooks/use-conversations.ts';
import { newClientMsgId, useMessages, useSendMessage } from '../hooks/use-messages.ts';
import { customerLabel } from '../labels.ts';
import { ChatHeader } from './chat-header.tsx';
import { Composer, type ComposerChannel } from './composer.tsx';
import { MessageList } from './message-list.tsx';
import { TypingLine } from './typing-line.tsx';

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

/** WeChat accepts customer-service messages within 48 hours of the customer's last interaction. */
const WECHAT_WINDOW_MS = 48 * 3_600_000;

/** The centre of the workbench: who, what was said, and the composer. */
export function ChatPanel({ conversation, me, users, agents, teams, canReply, canAssign, canChangeStatus }: Props) {
  const { t } = useTranslation();
  const messages = useMessages(conversation.id);
  const send = useSendMessage(conversation.id);
  const { mutate: markRead } = useMarkConversationRead();
  const inbox = useInboxMap().get(conversation.inboxId);
  const channelType = inbox?.channelType;
  const hasChannelDetails = channelType === 'email' || channelType === 'sms';
  // The panel on the right loads the customer too: one request, shared through the cache.
  const customer = useCustomer(hasChannelDetails ? conversation.customerId : undefined);
  const stored = useMemo(
    () => messages.items.flatMap((item) => (item.kind === 'message' ? [item.message] : [])),
    [messages.items],
  );
  const subject = channelType === 'email' ? threadSubject(stored) : undefined;
  const emailRecipient =
    channelType === 'email' ? (threadCustomerAddress(stored) ?? customer.data?.email ?? undefined) : undefined;
  const emailThread = useMemo<EmailThread | undefined>(
    () => (channelType === 'email' ? { to: emailRecipient, subject } : undefined),
    [channelType, emailRecipient, subject],
  );
  const composerChannel = useMemo<ComposerChannel | undefined>(() => {
    if (channelType === 'email') return { type: 'email', recipient: emailRecipient };
    if (channelType === 'sms') return { type: 'sms', recipient: customer.data?.phone ?? undefined };
    if (channelType === 'wechat') {
      const lastInbound = stored.findLast((message) => message.direction === 'inbound');
      const isWindowClosed = lastInbound ? Date.now() - Date.parse(lastInbound.createdAt) > WECHAT_WINDOW_MS : false;
      return { type: 'wechat', isWindowClosed };
    }
    return undefined;
  }, [channelType, stored, emailRecipient, customer.data?.phone]);

  // The assignee opening a conversation reads it; while it stays open, new customer messages are read as they come.
  // Anyone else (a colleague or supervisor browsing, anyone while it is unassigned) leaves the badge to the assignee;
  // claiming it (assign to me, or a first reply) then reads it like a first open.
  const markedRef = useRef<string | null>(null);
  const { id, unreadCount } = conversation;
  const isMine = conversation.assigneeId === me.id;
  useEffect(() => {
    if (!isMine) return;
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
  }, [id, unreadCount, isMine, markRead]);

  const { fetchNextPage } = messages;
  return (
    <div className="hk-chat" data-testid="chat" data-conversation-id={conversation.id}>
      <ChatHeader
        conversation={conversation}
        inbox={inbox}
        subject={subject}
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
        customerName={customerLabel(conversation, t, inbox?.channelType)}
        emailThread={emailThread}
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
      <TypingLine conversationId={conversation.id} />
      <Composer
        conversationId={conversation.id}
        channel={composerChannel}
        onTyping={channelType === 'website' ? () => signalAgentTyping(conversation.id) : undefined}
        isDisabled={!canReply}
        disabledReason={t('chat.readOnly')}
        onSend={(content, mode, attachments) =>
          send.mutate({ content, isPrivate: mode === 'note', clientMsgId: newClientMsgId(), attachments })
        }
      />
    </div>
  );
}
