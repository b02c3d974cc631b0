import {
  CheckOutlined,
  ExclamationCircleOutlined,
  LoadingOutlined,
  LockOutlined,
  RobotOutlined,
} from '@ant-design/icons';
import type { Message } from '@huike/contracts';
import { Button, Tooltip } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { AttachmentList } from '../../../ui/attachment-list.tsx';
import { formatDateTime, inWorkspace } from '../../../ui/time.ts';
import type { PendingMessage } from '../pending-messages.ts';
import { MessageInsight } from './message-insight.tsx';

type BubbleProps = {
  direction: Message['direction'];
  senderKind: Message['senderKind'];
  senderName: string | null;
  content: string;
  isPrivate: boolean;
  createdAt: string;
  messageId?: string;
  clientMsgId?: string | null;
  state: 'sent' | 'sending' | 'failed';
  errorMessage?: string;
  onRetry?: () => void;
  /** Shown for customer messages that carry no sender name. */
  customerName?: string;
  sentiment?: Message['sentiment'];
  urgency?: Message['urgency'];
  attachments?: Message['attachments'];
};

function Bubble(props: BubbleProps) {
  const { t } = useTranslation();
  const time = inWorkspace(props.createdAt).format('HH:mm');
  const common = {
    'data-testid': 'message',
    'data-direction': props.direction,
    'data-sender-kind': props.senderKind,
    'data-private': props.isPrivate ? 'true' : 'false',
    'data-message-id': props.messageId,
    'data-client-msg-id': props.clientMsgId ?? undefined,
    'data-state': props.state,
  };

  // System events and bot lines are quiet, centred, small.
  if (props.senderKind === 'system' || props.senderKind === 'bot') {
    return (
      <div className="hk-msg-event" {...common}>
        <Tooltip title={formatDateTime(props.createdAt)}>
          <span className="hk-msg-event-text">
            {props.senderKind === 'bot' && <RobotOutlined />}
            {props.senderKind === 'bot' && props.senderName ? `${props.senderName}：` : null}
            {props.content}
            <span className="hk-msg-event-time">{time}</span>
          </span>
        </Tooltip>
        {props.attachments && props.attachments.length > 0 && <AttachmentList attachments={props.attachments} />}
      </div>
    );
  }

  const side = props.direction === 'inbound' ? 'in' : 'out';
  const className = ['hk-msg', `hk-msg-${side}`, props.isPrivate ? 'hk-msg-note' : '', `hk-msg-${props.state}`]
    .filter(Boolean)
    .join(' ');
  const sender =
    props.senderName ?? (props.direction === 'inbound' ? (props.customerName ?? t('chat.customer')) : t('chat.agent'));

  return (
    <div className={className} {...common}>
      <div className="hk-msg-meta">
        {props.isPrivate && (
          <span className="hk-msg-note-label">
            <LockOutlined /> {t('chat.privateNote')}
          </span>
        )}
        <span className="hk-msg-sender">{sender}</span>
        <Tooltip title={formatDateTime(props.createdAt)}>
          <time dateTime={props.createdAt}>{time}</time>
        </Tooltip>
        {side === 'in' && <MessageInsight sentiment={props.sentiment ?? null} urgency={props.urgency ?? null} />}
      </div>
      {/* Plain text only: React escapes it, so markup a customer types is shown, never run. */}
      {props.content && <div className="hk-msg-bubble">{props.content}</div>}
      {props.attachments && props.attachments.length > 0 && <AttachmentList attachments={props.attachments} />}
      {side === 'out' && (
        <div className="hk-msg-state">
          {props.state === 'sending' && (
            <span>
              <LoadingOutlined /> {t('chat.sending')}
            </span>
          )}
          {props.state === 'sent' && !props.isPrivate && (
            <span>
              <CheckOutlined /> {t('chat.sent')}
            </span>
          )}
          {props.state === 'failed' && (
            <span className="hk-msg-failed">
              <Tooltip title={props.errorMessage}>
                <ExclamationCircleOutlined /> {t('chat.failed')}
              </Tooltip>
              {props.onRetry && (
                <Button type="link" size="small" onClick={props.onRetry}>
                  {t('chat.retry')}
                </Button>
              )}
            </span>
          )}
        </div>
      )}
    </div>
  );
}

export const MessageBubble = memo(function MessageBubble({
  message,
  customerName,
}: {
  message: Message;
  customerName?: string;
}) {
  return (
    <Bubble
      customerName={customerName}
      direction={message.direction}
      senderKind={message.senderKind}
      senderName={message.senderName}
      content={message.content}
      isPrivate={message.private}
      createdAt={message.createdAt}
      messageId={message.id}
      clientMsgId={message.clientMsgId}
      sentiment={message.sentiment}
      urgency={message.urgency}
      attachments={message.attachments}
      state="sent"
    />
  );
});

export function PendingBubble({
  pending,
  senderName,
  onRetry,
}: {
  pending: PendingMessage;
  senderName: string;
  onRetry: () => void;
}) {
  return (
    <Bubble
      direction="outbound"
      senderKind="agent"
      senderName={senderName}
      content={pending.content}
      isPrivate={pending.private}
      createdAt={pending.createdAt}
      clientMsgId={pending.clientMsgId}
      attachments={pending.attachments}
      state={pending.state}
      errorMessage={pending.errorMessage}
      onRetry={pending.state === 'failed' ? onRetry : undefined}
    />
  );
}
