import { MailOutlined, MessageOutlined, SendOutlined, WarningOutlined } from '@ant-design/icons';
import { type ChannelType, MESSAGE_MAX_LENGTH, type MessageAttachment } from '@huike/contracts';
import { App, Button, type GetRef, Input, Segmented, Tooltip } from 'antd';
import { type ClipboardEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { InviteRatingButton } from '../../surveys/components/invite-rating-button.tsx';
import { useSlashTemplates } from '../../templates/components/slash-template-picker.tsx';
import { smsSegments } from '../channel-meta.ts';
import { useWorkbenchCommand } from '../workbench-events.ts';
import { AttachmentButtons, AttachmentChips, useDraftAttachments } from './attachment-chips.tsx';

export type ComposerMode = 'reply' | 'note';

/** The channel a reply goes out on, when it is not the website chat: email shows its recipient, SMS its length. */
export type ComposerChannel = {
  type: ChannelType;
  recipient?: string;
  /** WeChat: the customer's last interaction is older than the 48-hour customer-service window. */
  isWindowClosed?: boolean;
};

type Props = {
  conversationId: string;
  channel?: ComposerChannel;
  isDisabled: boolean;
  disabledReason?: string;
  onSend: (content: string, mode: ComposerMode, attachments: MessageAttachment[]) => void;
  /** The agent types a reply (not a note): the chat tells the customer, where the channel can show it. */
  onTyping?: () => void;
};

type TextAreaRef = GetRef<typeof Input.TextArea>;

// The counter shows from here on, so the limit never comes as a surprise.
const countFrom = 4500;
// Drafts survive switching between conversations (not reloads).
const drafts = new Map<string, string>();

export function Composer({ conversationId, channel, isDisabled, disabledReason, onSend, onTyping }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const attachments = useDraftAttachments(conversationId);
  const [text, setText] = useState(() => drafts.get(conversationId) ?? '');
  const textareaRef = useRef<TextAreaRef>(null);

  useEffect(() => {
    setText(drafts.get(conversationId) ?? '');
    setMode('reply');
  }, [conversationId]);

  const focus = () => textareaRef.current?.focus();
  useWorkbenchCommand('focus-reply', () => {
    setMode('reply');
    focus();
  });
  useWorkbenchCommand('focus-note', () => {
    setMode('note');
    focus();
  });

  const updateText = (value: string) => {
    setText(value);
    if (value) drafts.set(conversationId, value);
    else drafts.delete(conversationId);
  };

  const slash = useSlashTemplates({
    conversationId,
    setText: updateText,
    getTextArea: () => textareaRef.current?.resizableTextArea?.textArea,
    isEnabled: !isDisabled,
    onAttachments: attachments.addUploaded,
  });

  const send = () => {
    const content = text.trim();
    if ((!content && attachments.items.length === 0) || isDisabled || content.length > MESSAGE_MAX_LENGTH) return;
    if (attachments.isUploading) {
      void message.warning(t('attachments.waitUpload'));
      return;
    }
    if (!content && attachments.ready.length === 0) return;
    onSend(content, mode, attachments.ready);
    updateText('');
    attachments.clear();
    focus();
  };

  // Pasted images (screenshots) upload like picked files; pasted text stays text.
  const handlePaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0 || isDisabled) return;
    event.preventDefault();
    attachments.addFiles(files);
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // While an IME (pinyin) is composing, Enter picks a candidate; it must not send.
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    if (slash.handleKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.metaKey && !event.ctrlKey) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape') {
      event.currentTarget.blur();
    }
  };

  const isNote = mode === 'note';
  const isEmail = channel?.type === 'email';
  const isSms = channel?.type === 'sms';
  const segments = isSms ? smsSegments(text.trim()) : 0;
  // Measured as the server measures it (trimmed, UTF-16 units). Longer text is kept, never cut: the agent shortens it.
  const length = text.trim().length;
  const isTooLong = length > MESSAGE_MAX_LENGTH;
  return (
    <div className={isNote ? 'hk-composer hk-composer-note' : 'hk-composer'} data-mode={mode}>
      <div className="hk-composer-toolbar">
        <Segmented<ComposerMode>
          size="small"
          value={mode}
          onChange={setMode}
          options={[
            { value: 'reply', label: isEmail ? t('channelChat.email.replyMode') : t('chat.modeReply') },
            { value: 'note', label: t('chat.modeNote') },
          ]}
          data-testid="composer-mode"
        />
        <AttachmentButtons onFiles={attachments.addFiles} isDisabled={isDisabled} />
        <InviteRatingButton conversationId={conversationId} isDisabled={isDisabled} />
        <span className="hk-composer-hint">{isNote ? t('chat.noteHint') : t('chat.replyHint')}</span>
      </div>
      {!isNote && (isEmail || isSms) && (
        <div className="hk-composer-channel" data-testid="composer-channel" data-channel-type={channel?.type}>
          {isEmail && (
            <>
              <span className="hk-composer-channel-label">
                <MailOutlined /> {t('channelChat.email.replyMode')}
              </span>
              <span data-testid="composer-recipient">
                {channel?.recipient
                  ? t('channelChat.email.replyTo', { address: channel.recipient })
                  : t('channelChat.email.replyToUnknown')}
              </span>
            </>
          )}
          {isSms && (
            <>
              <span className="hk-composer-channel-label">
                <MessageOutlined /> {t('channels.sms')}
              </span>
              {channel?.recipient && (
                <span data-testid="composer-recipient">
                  {t('channelChat.sms.replyTo', { address: channel.recipient })}
                </span>
              )}
              <Tooltip title={t('channelChat.sms.counterHelp')}>
                <span
                  className={segments > 1 ? 'hk-sms-counter hk-sms-counter-many' : 'hk-sms-counter'}
                  data-testid="sms-counter"
                  data-segments={segments}
                >
                  {t('channelChat.sms.chars', { count: [...text.trim()].length })} ·{' '}
                  {t('channelChat.sms.counter', { count: segments })}
                </span>
              </Tooltip>
            </>
          )}
        </div>
      )}
      {!isNote && channel?.type === 'wechat' && channel.isWindowClosed && (
        <div className="hk-composer-channel hk-composer-warning" data-testid="wechat-window-closed">
          <WarningOutlined /> {t('channelChat.wechat.windowClosed')}
        </div>
      )}
      {slash.picker}
      <AttachmentChips items={attachments.items} onRemove={attachments.remove} />
      <Input.TextArea
        ref={textareaRef}
        value={text}
        onChange={(event) => {
          updateText(event.target.value);
          slash.sync();
          if (!isNote && event.target.value) onTyping?.();
        }}
        onSelect={slash.sync}
        onKeyDown={handleKeyDown}
        onPaste={handlePaste}
        autoSize={{ minRows: 2, maxRows: 8 }}
        variant="borderless"
        disabled={isDisabled}
        placeholder={isDisabled ? disabledReason : isNote ? t('chat.notePlaceholder') : t('chat.replyPlaceholder')}
        data-testid="composer"
        aria-label={t('chat.composerLabel')}
      />
      <div className="hk-composer-footer">
        {isTooLong ? (
          <span className="hk-composer-too-long" role="alert" data-testid="composer-too-long">
            {t('chat.tooLong', { over: length - MESSAGE_MAX_LENGTH, max: MESSAGE_MAX_LENGTH })}
          </span>
        ) : (
          <span className="hk-muted">{t('chat.keysHint')}</span>
        )}
        <span className="hk-composer-send">
          {length > countFrom && (
            <span
              className={isTooLong ? 'hk-composer-count hk-composer-count-over' : 'hk-composer-count'}
              data-testid="composer-count"
            >
              {length} / {MESSAGE_MAX_LENGTH}
            </span>
          )}
          <Button
            color={isNote ? 'gold' : 'primary'}
            variant="solid"
            icon={<SendOutlined />}
            onClick={send}
            disabled={isDisabled || isTooLong || (!text.trim() && attachments.items.length === 0)}
            data-testid="composer-send"
          >
            {isNote ? t('chat.addNote') : t('chat.send')}
          </Button>
        </span>
      </div>
    </div>
  );
}
