import {
  AudioOutlined,
  CheckOutlined,
  ExclamationCircleOutlined,
  LoadingOutlined,
  LockOutlined,
  RobotOutlined,
  WechatOutlined,
} from '@ant-design/icons';
import type { Message } from '@huike/contracts';
import { Button, Tooltip } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { AttachmentList } from '../../../ui/attachment-list.tsx';
import { formatDateTime, inWorkspace } from '../../../ui/time.ts';
import {
  type EmailThread,
  emailMetaOf,
  expectedEmailMeta,
  wechatEventOf,
  wechatEventText,
  wechatVoiceOf,
} from '../channel-meta.ts';
import type { PendingMessage } from '../pending-messages.ts';
import { DeliveryMark } from './delivery-mark.tsx';
import { EmailContent } from './email-content.tsx';
import { MessageInsight } from './message-insight.tsx';
import '../channels.css';

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
  /** The stored message, for what its channel adds (email parts, WeChat events and voice, delivery state). */
  message?: Message;
  /** Email conversations: where our replies go, shown on a reply the channel has not described yet. */
  emailThread?: EmailThread;
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
    'data-delivery': props.message?.delivery?.status,
  };

  // A WeChat event (关注, 取消关注, 菜单点击) is something the customer did, not said: a quiet line.
  const wechatEvent = props.message ? wechatEventOf(props.message) : null;
  if (wechatEvent) {
    return (
      <div className="hk-msg-event hk-msg-channel-event" {...common} data-wechat-event={wechatEvent.event}>
        <Tooltip title={formatDateTime(props.createdAt)}>
          <span className="hk-msg-event-text">
            <WechatOutlined className="hk-wechat-green" />
            {props.customerName ? `${props.customerName} ` : null}
            {wechatEventText(wechatEvent, t)}
            <span className="hk-msg-event-time">{time}</span>
          </span>
        </Tooltip>
      </div>
    );
  }

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
  const stored = props.message ? emailMetaOf(props.message) : null;
  // Our reply in an email thread is an email even before (or without) the channel's headers: sending, or failed.
  const isExpectedEmail = !stored && side === 'out' && !props.isPrivate && !!props.message && !!props.emailThread;
  const email = stored ?? (isExpectedEmail && props.emailThread ? expectedEmailMeta(props.emailThread) : null);
  const voice = props.message && !email ? wechatVoiceOf(props.message) : null;
  const delivery = props.message?.delivery ?? null;
  const isUndelivered = delivery?.status === 'failed' || delivery?.status === 'bounced';
  const className = [
    'hk-msg',
    `hk-msg-${side}`,
    props.isPrivate ? 'hk-msg-note' : '',
    `hk-msg-${props.state}`,
    email ? 'hk-msg-email' : '',
    isUndelivered ? 'hk-msg-undelivered' : '',
  ]
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
      {email ? (
        <EmailContent email={email} content={props.content} messageId={props.messageId} isExpected={isExpectedEmail} />
      ) : voice ? (
        <div className="hk-msg-bubble hk-msg-voice" data-testid="voice-message">
          <div className="hk-msg-voice-label">
            <AudioOutlined /> {t('channelChat.wechat.voice')}
          </div>
          {voice.recognition ? (
            <div>
              <span className="hk-msg-voice-caption">
                {t('channelChat.wechat.voiceRecognized')}
                {t('common.colon')}
              </span>
              {voice.recognition}
            </div>
          ) : (
            <div className="hk-msg-voice-caption">{t('channelChat.wechat.voiceUnrecognized')}</div>
          )}
        </div>
      ) : (
        props.content && <div className="hk-msg-bubble">{props.content}</div>
      )}
      {props.attachments && props.attachments.length > 0 && <AttachmentList attachments={props.attachments} />}
      {side === 'out' && delivery && props.message && !props.isPrivate && (
        <div className="hk-msg-state">
          <DeliveryMark message={props.message} delivery={delivery} />
        </div>
      )}
      {side === 'out' && !(delivery && props.message && !props.isPrivate) && (
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
  emailThread,
}: {
  message: Message;
  customerName?: string;
  emailThread?: EmailThread;
}) {
  return (
    <Bubble
      customerName={customerName}
      emailThread={emailThread}
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
      message={message}
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
