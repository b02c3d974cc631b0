import type { TemplateAttachment, TemplateListItem } from '@huike/contracts';
import { App, Spin, Tag } from 'antd';
import { type KeyboardEvent, type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { rankTemplates } from '../fuzzy.ts';
import { useRenderTemplate, useTemplates } from '../hooks/use-templates.ts';
import { useTemplateInsertListener } from '../insert-events.ts';
import { TemplateContent } from './template-content.tsx';

type Trigger = { start: number; end: number; query: string };

type Options = {
  conversationId: string;
  setText: (value: string) => void;
  getTextArea: () => HTMLTextAreaElement | null | undefined;
  isEnabled: boolean;
  /** A template's attachments, to go with the text (the composer shows them as removable chips). */
  onAttachments?: (attachments: TemplateAttachment[]) => void;
};

// `/` at the start of the text or after white space, then what the agent typed so far (no spaces).
const SLASH = /(^|\s)\/([^\s/]{0,30})$/u;

/**
 * The composer's `/` template picker: typing `/` (at the start or after a space) opens a list matched on title,
 * content, pinyin and initials; ↑/↓ move, Tab or Enter insert, Esc closes. Inserting fills the template's
 * variables for this conversation and puts the text in place of `/…`, for the agent to edit before sending.
 * Also inserts what the 快捷短语 panel hands over.
 */
export function useSlashTemplates({ conversationId, setText, getTextArea, isEnabled, onAttachments }: Options) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [trigger, setTrigger] = useState<Trigger | null>(null);
  const [active, setActive] = useState(0);
  const dismissedAt = useRef<number | null>(null);
  const templates = useTemplates({ conversationId }, { enabled: isEnabled });
  const render = useRenderTemplate();

  const matches = useMemo(
    () => (trigger ? rankTemplates(templates.data ?? [], trigger.query, 8) : []),
    [trigger, templates.data],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: another conversation closes the picker
  useEffect(() => {
    setTrigger(null);
    dismissedAt.current = null;
  }, [conversationId]);

  const query = trigger?.query;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query starts at the best match
  useEffect(() => setActive(0), [query]);

  /** Re-reads the text before the caret: opens, updates or closes the picker. */
  const sync = () => {
    const element = getTextArea();
    if (!element || !isEnabled) return setTrigger(null);
    const caret = element.selectionStart ?? 0;
    if (caret !== element.selectionEnd) return setTrigger(null);
    const match = SLASH.exec(element.value.slice(0, caret));
    if (!match) {
      dismissedAt.current = null;
      return setTrigger(null);
    }
    const typed = match[2] ?? '';
    const start = caret - typed.length - 1;
    if (dismissedAt.current === start) return setTrigger(null);
    setTrigger({ start, end: caret, query: typed });
  };

  /** Puts `content` in place of [start, end) of the current text and the caret after it. */
  const place = (content: string, start: number, end: number) => {
    const element = getTextArea();
    const current = element?.value ?? '';
    const next = current.slice(0, start) + content + current.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      const target = getTextArea();
      if (!target) return;
      target.focus();
      target.setSelectionRange(start + content.length, start + content.length);
    });
  };

  const fill = async (item: TemplateListItem) => {
    try {
      const rendered = await render.mutateAsync({ id: item.id, conversationId });
      if (rendered.missingVariables.length > 0) {
        void message.warning(t('templates.missingVariables', { names: rendered.missingVariables.join('、') }));
      }
      if (rendered.attachments.length > 0) onAttachments?.(rendered.attachments);
      return rendered.content;
    } catch (failure) {
      void message.error(errorMessage(failure, t));
      return null;
    }
  };

  const insert = async (item: TemplateListItem) => {
    if (!trigger) return;
    const { start, end, query: typed } = trigger;
    setTrigger(null);
    const content = await fill(item);
    if (content === null) return;
    const current = getTextArea()?.value ?? '';
    // The agent may have typed on while the template was being filled: replace `/…` only if it is still there.
    if (current.slice(start, end) === `/${typed}`) place(content, start, end);
    else place(content, current.length, current.length);
  };

  useTemplateInsertListener(conversationId, (content, attachments) => {
    const element = getTextArea();
    if (!element) return;
    if (attachments && attachments.length > 0) onAttachments?.(attachments);
    const start = element.selectionStart ?? element.value.length;
    const end = element.selectionEnd ?? start;
    place(content, start, end);
  });

  /** The composer's key handler asks first; true means the picker used the key. */
  const handleKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!trigger) return false;
    if (event.key === 'Escape') {
      event.preventDefault();
      dismissedAt.current = trigger.start;
      setTrigger(null);
      return true;
    }
    if (matches.length === 0) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((index) => (index + step + matches.length) % matches.length);
      return true;
    }
    if (event.key === 'Tab' || (event.key === 'Enter' && !event.shiftKey)) {
      event.preventDefault();
      const item = matches[active] ?? matches[0];
      if (item) void insert(item);
      return true;
    }
    return false;
  };

  const picker: ReactNode = trigger ? (
    <div className="hk-template-picker" data-testid="template-picker" role="listbox" aria-label={t('templates.picker')}>
      {templates.isPending ? (
        <div className="hk-template-picker-empty">
          <Spin size="small" />
        </div>
      ) : matches.length === 0 ? (
        <div className="hk-template-picker-empty">{t('templates.pickerEmpty')}</div>
      ) : (
        matches.map((item, index) => (
          <div
            key={item.id}
            role="option"
            tabIndex={-1}
            aria-selected={index === active}
            className={index === active ? 'hk-template-option hk-template-option-active' : 'hk-template-option'}
            data-testid="template-option"
            onMouseEnter={() => setActive(index)}
            onMouseDown={(event) => {
              // Keep the caret in the composer.
              event.preventDefault();
              void insert(item);
            }}
          >
            <div className="hk-template-option-head">
              <strong>{item.title}</strong>
              <Tag variant="filled">{item.category}</Tag>
              {item.forCustomerSegment && <Tag color="green">{t('templates.forSegment')}</Tag>}
            </div>
            <div className="hk-template-option-body">
              <TemplateContent content={item.content} maxLength={120} />
            </div>
          </div>
        ))
      )}
      <div className="hk-template-picker-hint">{t('templates.pickerHint')}</div>
    </div>
  ) : null;

  return { handleKeyDown, sync, picker, isOpen: trigger !== null };
}
