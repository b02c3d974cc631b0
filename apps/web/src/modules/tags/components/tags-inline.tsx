import { PlusOutlined } from '@ant-design/icons';
import { App, Button, type RefSelectProps, Skeleton } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import type { Tag, TagChange } from '../api/tags-api.ts';
import type { TagCatalog, TagOption } from '../hooks/use-tags.ts';
import { TagChip } from './tag-chip.tsx';
import { TagPicker } from './tag-picker.tsx';

type Props = {
  tags: Tag[] | undefined;
  catalog: TagCatalog | undefined;
  isPending: boolean;
  canEdit: boolean;
  onChange: (change: TagChange) => Promise<unknown>;
  emptyText: string;
  testId: string;
  /** Increments when a keyboard shortcut asks for the picker. */
  focusSignal?: number;
};

/** Applied tags as chips (× removes) and a 「+ 标签」 picker that stays out of the way until used. */
export function TagsInline({ tags, catalog, isPending, canEdit, onChange, emptyText, testId, focusSignal }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [isPicking, setPicking] = useState(false);
  const pickerRef = useRef<RefSelectProps>(null);
  const applied = useMemo(() => new Set((tags ?? []).map((tag) => tag.id)), [tags]);

  useEffect(() => {
    if (!focusSignal || !canEdit) return;
    setPicking(true);
    const timer = window.setTimeout(() => pickerRef.current?.focus(), 0);
    return () => window.clearTimeout(timer);
  }, [focusSignal, canEdit]);

  const change = (input: TagChange, done: string) => {
    onChange(input).then(
      () => void message.success(done),
      (error: unknown) => void message.error(errorMessage(error, t)),
    );
  };

  const pick = (tag: TagOption) => {
    const replaced =
      tag.group.selection === 'single' ? (tags ?? []).find((each) => each.groupId === tag.groupId) : undefined;
    change(
      { add: [tag.id], remove: [] },
      replaced
        ? t('tags.replacedDone', { from: replaced.name, to: tag.name })
        : t('tags.addedDone', { name: tag.name }),
    );
  };

  if (isPending) return <Skeleton.Input active size="small" />;
  const display = (tags ?? []).map((tag) => catalog?.byId.get(tag.id) ?? tag);
  return (
    <div className="hk-tags-inline" data-testid={testId}>
      {display.length === 0 && !isPicking && <span className="hk-muted hk-small">{emptyText}</span>}
      {display.map((tag) => (
        <TagChip
          key={tag.id}
          tag={tag}
          closable={canEdit}
          onClose={() => change({ add: [], remove: [tag.id] }, t('tags.removedDone', { name: tag.name }))}
        />
      ))}
      {canEdit &&
        (isPicking ? (
          <TagPicker
            catalog={catalog}
            appliedIds={applied}
            onPick={pick}
            selectRef={pickerRef}
            autoFocus
            onBlur={() => setPicking(false)}
            testId={`${testId}-picker`}
          />
        ) : (
          <Button
            size="small"
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() => setPicking(true)}
            data-testid={`${testId}-add`}
            title={t('tags.addHint')}
          >
            {t('tags.add')}
          </Button>
        ))}
    </div>
  );
}
