import { SendOutlined } from '@ant-design/icons';
import type { MessageAttachment } from '@huike/contracts';
import { App, Button, type GetRef, Input, Segmented } from 'antd';
import { type ClipboardEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { InviteRatingButton } from '../../surveys/components/invite-rating-button.tsx';
import { useSlashTemplates } from '../../templates/components/slash-template-picker.tsx';
import { useWorkbenchCommand } from '../workbench-events.ts';
import { AttachmentButtons, AttachmentChips, useDraftAttachments } from './attachment-chips.tsx';

export type ComposerMode = 'reply' | 'note';

type Props = {
  conversationId: string;
  isDisabled: boolean;
  disabledReason?: string;
  onSend: (content: string, mode: ComposerMode, attachments: MessageAttachment[]) => void;
};

type TextAreaRef = GetRef<typeof Input.TextArea>;

const maxLength = 5000;
// Drafts survive switching between conversations (not reloads).
const drafts = new Map<string, string>();

export function Composer({ conversationId, isDisabled, disabledReason, onSend }: Props) {
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
    if ((!content && attachments.items.length === 0) || isDisabled) return;
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
  return (
    <div className={isNote ? 'hk-composer hk-composer-note' : 'hk-composer'} data-mode={mode}>
      <div className="hk-composer-toolbar">
        <Segmented<ComposerMode>
          size="small"
          value={mode}
          onChange={setMode}
          options={[
            { value: 'reply', label: t('chat.modeReply') },
            { value: 'note', label: t('chat.modeNote') },
          ]}
          data-testid="composer-mode"
        />
        <AttachmentButtons onFiles={attachments.addFiles} isDisabled={isDisabled} />
        <InviteRatingButton conversationId={conversationId} isDisabled={isDisabled} />
        <span className="hk-composer-hint">{isNote ? t('chat.noteHint') : t('chat.replyHint')}</span>
      </div>
      {slash.picker}
      <AttachmentChips items={attachments.items} onRemove={attachments.remove} />
      <Input.TextArea
        ref={textareaRef}
        value={text}
        onChange={(event) => {
          updateText(event.target.value);
          slash.sync();
        }}
        onSelect={slash.sync}
        onKeyDown={handleKeyDown}
        onPaste={handlePaste}
        autoSize={{ minRows: 2, maxRows: 8 }}
        maxLength={maxLength}
        variant="borderless"
        disabled={isDisabled}
        placeholder={isDisabled ? disabledReason : isNote ? t('chat.notePlaceholder') : t('chat.replyPlaceholder')}
        data-testid="composer"
        aria-label={t('chat.composerLabel')}
      />
      <div className="hk-composer-footer">
        <span className="hk-muted">{t('chat.keysHint')}</span>
        <Button
          color={isNote ? 'gold' : 'primary'}
          variant="solid"
          icon={<SendOutlined />}
          onClick={send}
          disabled={isDisabled || (!text.trim() && attachments.items.length === 0)}
          data-testid="composer-send"
        >
          {isNote ? t('chat.addNote') : t('chat.send')}
        </Button>
      </div>
    </div>
  );
}
