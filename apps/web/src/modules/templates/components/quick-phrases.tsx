import type { TemplateListItem } from '@huike/contracts';
import { App, Input, Select, Skeleton, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { rankTemplates } from '../fuzzy.ts';
import { useRenderTemplate, useTemplates } from '../hooks/use-templates.ts';
import { emitTemplateInsert } from '../insert-events.ts';
import { TemplateContent } from './template-content.tsx';

type Props = { conversationId: string; canInsert: boolean };

/** 快捷短语: the templates for this conversation (its customer's segment first), searchable; a click inserts. */
export function QuickPhrases({ conversationId, canInsert }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<string | undefined>();
  const templates = useTemplates({ conversationId });
  const render = useRenderTemplate();

  const categories = useMemo(
    () => [...new Set((templates.data ?? []).map((item) => item.category))].sort((a, b) => a.localeCompare(b, 'zh-CN')),
    [templates.data],
  );
  const shown = useMemo(() => {
    const inCategory = (templates.data ?? []).filter((item) => !category || item.category === category);
    return rankTemplates(inCategory, query, 200);
  }, [templates.data, category, query]);

  const insert = async (item: TemplateListItem) => {
    if (!canInsert) return;
    try {
      const rendered = await render.mutateAsync({ id: item.id, conversationId });
      emitTemplateInsert({ conversationId, content: rendered.content, attachments: rendered.attachments });
      if (rendered.missingVariables.length > 0)
        void message.warning(t('templates.missingVariables', { names: rendered.missingVariables.join('、') }));
    } catch (failure) {
      void message.error(errorMessage(failure, t));
    }
  };

  if (templates.isPending) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (templates.isError) return <ErrorState error={templates.error} onRetry={() => void templates.refetch()} compact />;

  return (
    <div className="hk-quick-phrases" data-testid="quick-phrases">
      <div className="hk-quick-phrases-filters">
        <Input.Search
          allowClear
          size="small"
          placeholder={t('templates.searchPlaceholder')}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          data-testid="quick-phrases-search"
        />
        <Select
          allowClear
          size="small"
          style={{ minWidth: 96 }}
          placeholder={t('templates.allCategories')}
          value={category}
          onChange={setCategory}
          options={categories.map((name) => ({ value: name, label: name }))}
        />
      </div>
      {shown.length === 0 ? (
        <EmptyState
          title={templates.data?.length ? t('templates.noMatch') : t('templates.emptyTitle')}
          action={<Link to="/templates">{t('templates.manageLink')}</Link>}
        />
      ) : (
        <ul className="hk-quick-phrases-list">
          {shown.map((item) => (
            <li key={item.id}>
              <button
                type="button"
                className="hk-quick-phrase"
                disabled={!canInsert || render.isPending}
                onClick={() => void insert(item)}
                data-testid="quick-phrase"
                title={canInsert ? t('templates.clickToInsert') : undefined}
              >
                <span className="hk-template-option-head">
                  <strong>{item.title}</strong>
                  <Tag variant="filled">{item.category}</Tag>
                  {item.forCustomerSegment && <Tag color="green">{t('templates.forSegment')}</Tag>}
                </span>
                <span className="hk-template-option-body">
                  <TemplateContent content={item.content} maxLength={120} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
