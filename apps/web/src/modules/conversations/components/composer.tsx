import { SendOutlined } from '@ant-design/icons';
import { Button, type GetRef, Input, Segmented } from 'antd';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useWorkbenchCommand } from '../workbench-events.ts';

export type ComposerMode = 'reply' | 'note';

type Props = {
  conversationId: string;
  isDisabled: boolean;
  disabledReason?: string;
  onSend: (content: string, mode: ComposerMode) => void;
};

type TextAreaRef = GetRef<typeof Input.TextArea>;

const maxLength = 5000;
// Drafts survive switching between conversations (not reloads).
const drafts = new Map<string, string>();

export function Composer({ conversationId, isDisabled, disabledReason, onSend }: Props) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<ComposerMode>('reply');
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

  const send = () => {
    const content = text.trim();
    if (!content || isDisabled) return;
    onSend(content, mode);
    updateText('');
    focus();
  };

  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // While an IME (pinyin) is composing, Enter picks a candidate; it must not send.
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
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
        <span className="hk-composer-hint">{isNote ? t('chat.noteHint') : t('chat.replyHint')}</span>
      </div>
      <Input.TextArea
        ref={textareaRef}
        value={text}
        onChange={(event) => updateText(event.target.value)}
        onKeyDown={handleKeyDown}
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
          disabled={isDisabled || !text.trim()}
          data-testid="composer-send"
        >
          {isNote ? t('chat.addNote') : t('chat.send')}
        </Button>
      </div>
    </div>
  );
}
