import { Tag as AntTag, App, Empty, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { useChangeCustomerTags, useCustomerTags, useTagCatalog } from '../hooks/use-tags.ts';
import { tagColor } from './tag-picker.tsx';

type Props = { customerId: string; canEdit: boolean; canManage: boolean };

/** 标签 tab: every group with all its tags; click to apply or remove. Single-select groups act as radios. */
export function CustomerTagBoard({ customerId, canEdit, canManage }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { catalog, isPending, error, refetch } = useTagCatalog();
  const applied = useCustomerTags(customerId);
  const change = useChangeCustomerTags(customerId, catalog);

  if (isPending || applied.isPending) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (error || applied.isError)
    return (
      <ErrorState
        error={error ?? applied.error}
        onRetry={() => {
          refetch();
          void applied.refetch();
        }}
        compact
      />
    );
  if (!catalog || catalog.options.length === 0)
    return (
      <Empty
        description={
          <>
            {t('tags.noneDefined')}
            {canManage && (
              <>
                {' '}
                <Link to="/settings/tags">{t('tags.goManage')}</Link>
              </>
            )}
          </>
        }
      />
    );

  const appliedIds = new Set(applied.data.map((tag) => tag.id));
  const toggle = (tagId: string, isOn: boolean) => {
    const tag = catalog.byId.get(tagId);
    if (!tag) return;
    change.mutate(isOn ? { add: [tagId], remove: [] } : { add: [], remove: [tagId] }, {
      onSuccess: () =>
        void message.success(
          isOn ? t('tags.addedDone', { name: tag.name }) : t('tags.removedDone', { name: tag.name }),
        ),
      onError: (failure) => void message.error(errorMessage(failure, t)),
    });
  };

  return (
    <div className="hk-tag-board" data-testid="customer-tag-board">
      {catalog.groups.map((group) => {
        const tags = catalog.options.filter((tag) => tag.groupId === group.id);
        if (tags.length === 0) return null;
        return (
          <section key={group.id} className="hk-tag-group" data-testid="tag-group" data-group-id={group.id}>
            <div className="hk-tag-group-title">
              <span>{group.name}</span>
              <span className="hk-muted hk-small">
                {group.selection === 'single' ? t('tags.selectionSingleHint') : t('tags.selectionMultiHint')}
              </span>
            </div>
            <div className="hk-tag-group-tags">
              {tags.map((tag) => {
                const isOn = appliedIds.has(tag.id);
                return (
                  <AntTag.CheckableTag
                    key={tag.id}
                    checked={isOn}
                    onChange={(checked) => canEdit && toggle(tag.id, checked)}
                    className={isOn ? 'hk-checkable-tag hk-checkable-tag-on' : 'hk-checkable-tag'}
                    style={
                      isOn
                        ? { background: tagColor(tag.color), borderColor: tagColor(tag.color) }
                        : { borderColor: tagColor(tag.color) }
                    }
                    data-testid="board-tag"
                    data-tag-id={tag.id}
                    data-checked={isOn}
                  >
                    {group.selection === 'single' && <span className="hk-radio-dot" aria-hidden />}
                    {tag.depth > 0 ? tag.path : tag.name}
                  </AntTag.CheckableTag>
                );
              })}
            </div>
          </section>
        );
      })}
      {!canEdit && <div className="hk-muted hk-small">{t('tags.readOnly')}</div>}
    </div>
  );
}
