import { EditOutlined } from '@ant-design/icons';
import { Button, Input, Space, Tooltip } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

type Props = {
  label: ReactNode;
  value: string | null;
  /** How the value looks when not editing (e.g. a masked phone). */
  display?: ReactNode;
  placeholder?: string;
  isMultiline?: boolean;
  canEdit: boolean;
  /** Returns an error message, or null when the input is acceptable. */
  validate?: (value: string) => string | null;
  onSave: (value: string) => Promise<unknown>;
  testId?: string;
  maxLength?: number;
};

/** A profile field that edits in place: click, type, Enter (or 保存) saves, Esc cancels. */
export function EditableField(props: Props) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [isSaving, setSaving] = useState(false);
  const isEditing = draft !== null;

  const start = () => {
    if (!props.canEdit) return;
    setDraft(props.value ?? '');
    setError(null);
  };
  const cancel = () => {
    setDraft(null);
    setError(null);
  };
  const save = async () => {
    if (draft === null) return;
    const value = draft.trim();
    if (value === (props.value ?? '').trim()) {
      cancel();
      return;
    }
    const problem = value && props.validate ? props.validate(value) : null;
    if (problem) {
      setError(problem);
      return;
    }
    setSaving(true);
    try {
      await props.onSave(value);
      cancel();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="hk-field" data-testid={props.testId}>
      <div className="hk-field-label">{props.label}</div>
      {isEditing ? (
        <div className="hk-field-edit">
          {props.isMultiline ? (
            <Input.TextArea
              autoFocus
              value={draft}
              maxLength={props.maxLength}
              autoSize={{ minRows: 3, maxRows: 10 }}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') cancel();
                if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) void save();
              }}
              status={error ? 'error' : undefined}
              data-testid={props.testId ? `${props.testId}-input` : undefined}
            />
          ) : (
            <Input
              autoFocus
              size="small"
              value={draft}
              maxLength={props.maxLength}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Escape') cancel();
                if (event.key === 'Enter' && !event.nativeEvent.isComposing) void save();
              }}
              status={error ? 'error' : undefined}
              data-testid={props.testId ? `${props.testId}-input` : undefined}
            />
          )}
          {error && <div className="hk-field-error">{error}</div>}
          <Space size={4} className="hk-field-buttons">
            <Button size="small" type="primary" loading={isSaving} onClick={() => void save()}>
              {t('common.save')}
            </Button>
            <Button size="small" onClick={cancel} disabled={isSaving}>
              {t('common.cancel')}
            </Button>
          </Space>
        </div>
      ) : (
        <div className="hk-field-value">
          <div className={props.isMultiline ? 'hk-field-text hk-prewrap' : 'hk-field-text'}>
            {props.value ? (
              (props.display ?? props.value)
            ) : (
              <span className="hk-muted">{props.placeholder ?? t('common.notSet')}</span>
            )}
          </div>
          {props.canEdit && (
            <Tooltip title={t('common.edit')}>
              <Button
                type="text"
                size="small"
                icon={<EditOutlined />}
                onClick={start}
                aria-label={t('common.edit')}
                className="hk-field-edit-button"
                data-testid={props.testId ? `${props.testId}-edit` : undefined}
              />
            </Tooltip>
          )}
        </div>
      )}
    </div>
  );
}
