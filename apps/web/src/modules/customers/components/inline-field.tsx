import { EditOutlined } from '@ant-design/icons';
import { Button, DatePicker, Input, InputNumber, Select, Space, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

export type FieldDraft = string | number | string[] | null;

export type FieldEditor =
  | { kind: 'text'; maxLength?: number; placeholder?: string }
  | { kind: 'textarea'; maxLength?: number; placeholder?: string }
  | { kind: 'number' }
  | { kind: 'date' }
  | { kind: 'select'; options: { value: string; label: ReactNode }[]; allowClear?: boolean }
  | { kind: 'multiselect'; options: { value: string; label: ReactNode }[] }
  /** Free entries (other phones, emails): type and press Enter or a comma. */
  | { kind: 'list'; placeholder?: string };

type Props = {
  label: ReactNode;
  /** What the field shows when not editing; `null` shows 「未填写」. */
  display: ReactNode | null;
  /** The value the editor starts from. */
  value: FieldDraft;
  editor: FieldEditor;
  canEdit: boolean;
  required?: boolean;
  /** Returns an error message, or null when the draft is acceptable. */
  validate?: (draft: FieldDraft) => string | null;
  /** Throws an Error whose message is shown under the field (e.g. the server's validation message). */
  onSave: (draft: FieldDraft) => Promise<unknown>;
  extra?: ReactNode;
  testId?: string;
};

const isEmptyDraft = (draft: FieldDraft) =>
  draft === null || draft === '' || (Array.isArray(draft) && draft.length === 0);

const sameDraft = (a: FieldDraft, b: FieldDraft) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** A profile field edited in place with the right control for its type: Enter or 保存 saves, Esc cancels. */
export function InlineField({
  label,
  display,
  value,
  editor,
  canEdit,
  required,
  validate,
  onSave,
  extra,
  testId,
}: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<FieldDraft | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const isEditing = draft !== undefined;

  const cancel = () => {
    setDraft(undefined);
    setError(null);
  };
  const save = async (next: FieldDraft | undefined = draft) => {
    if (next === undefined) return;
    const cleaned = typeof next === 'string' ? next.trim() : next;
    if (sameDraft(cleaned, value)) {
      cancel();
      return;
    }
    if (required && isEmptyDraft(cleaned)) {
      setError(t('customerData.required'));
      return;
    }
    const problem = !isEmptyDraft(cleaned) && validate ? validate(cleaned) : null;
    if (problem) {
      setError(problem);
      return;
    }
    setSaving(true);
    try {
      await onSave(isEmptyDraft(cleaned) ? null : cleaned);
      cancel();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  };
  const keys = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      cancel();
    }
    if (event.key === 'Enter' && !event.nativeEvent.isComposing && editor.kind !== 'textarea' && editor.kind !== 'list')
      void save();
    if (event.key === 'Enter' && editor.kind === 'textarea' && (event.metaKey || event.ctrlKey)) void save();
  };
  const testInput = testId ? `${testId}-input` : undefined;
  const status = error ? ('error' as const) : undefined;

  const control = () => {
    switch (editor.kind) {
      case 'text':
        return (
          <Input
            autoFocus
            size="small"
            value={typeof draft === 'string' ? draft : ''}
            maxLength={editor.maxLength}
            placeholder={editor.placeholder}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={keys}
            status={status}
            data-testid={testInput}
          />
        );
      case 'textarea':
        return (
          <Input.TextArea
            autoFocus
            value={typeof draft === 'string' ? draft : ''}
            maxLength={editor.maxLength}
            placeholder={editor.placeholder}
            autoSize={{ minRows: 3, maxRows: 10 }}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={keys}
            status={status}
            data-testid={testInput}
          />
        );
      case 'number':
        return (
          <InputNumber
            autoFocus
            size="small"
            style={{ width: '100%' }}
            value={typeof draft === 'number' ? draft : null}
            onChange={(next) => setDraft(typeof next === 'number' ? next : null)}
            onKeyDown={keys}
            status={status}
            data-testid={testInput}
          />
        );
      case 'date':
        return (
          <DatePicker
            autoFocus
            size="small"
            style={{ width: '100%' }}
            value={typeof draft === 'string' && draft ? dayjs(draft) : null}
            onChange={(next) => setDraft(next ? next.format('YYYY-MM-DD') : null)}
            onKeyDown={keys}
            status={status}
            data-testid={testInput}
          />
        );
      case 'select':
        return (
          <Select<string>
            autoFocus
            size="small"
            defaultOpen
            allowClear={editor.allowClear ?? !required}
            value={typeof draft === 'string' ? draft : undefined}
            options={editor.options}
            onChange={(next) => setDraft(next ?? null)}
            onKeyDown={keys}
            status={status}
            data-testid={testInput}
          />
        );
      case 'multiselect':
        return (
          <Select<string[]>
            autoFocus
            size="small"
            mode="multiple"
            value={Array.isArray(draft) ? draft : []}
            options={editor.options}
            onChange={(next) => setDraft(next)}
            onKeyDown={keys}
            status={status}
            data-testid={testInput}
          />
        );
      case 'list':
        return (
          <Select<string[]>
            autoFocus
            size="small"
            mode="tags"
            open={false}
            suffixIcon={null}
            tokenSeparators={[',', '，', ' ', ';', '；']}
            placeholder={editor.placeholder}
            value={Array.isArray(draft) ? draft : []}
            onChange={(next) => setDraft(next)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') cancel();
            }}
            status={status}
            data-testid={testInput}
          />
        );
    }
  };

  return (
    <div className="hk-field" data-testid={testId}>
      <div className="hk-field-label">
        {label}
        {required && <span className="hk-required">*</span>}
      </div>
      {isEditing ? (
        <div className="hk-field-edit">
          {control()}
          {error && (
            <div className="hk-field-error" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
              {error}
            </div>
          )}
          <Space size={4} className="hk-field-buttons">
            <Button
              size="small"
              type="primary"
              loading={isSaving}
              onClick={() => void save()}
              data-testid={testId ? `${testId}-save` : undefined}
            >
              {t('common.save')}
            </Button>
            <Button size="small" onClick={cancel} disabled={isSaving}>
              {t('common.cancel')}
            </Button>
          </Space>
        </div>
      ) : (
        <div className="hk-field-value">
          <div className={editor.kind === 'textarea' ? 'hk-field-text hk-prewrap' : 'hk-field-text'}>
            {display ?? <span className="hk-muted">{t('common.notSet')}</span>}
            {extra}
          </div>
          {canEdit && (
            <Tooltip title={t('common.edit')}>
              <Button
                type="text"
                size="small"
                icon={<EditOutlined />}
                onClick={() => {
                  setDraft(value);
                  setError(null);
                }}
                aria-label={t('common.edit')}
                className="hk-field-edit-button"
                data-testid={testId ? `${testId}-edit` : undefined}
              />
            </Tooltip>
          )}
        </div>
      )}
    </div>
  );
}
