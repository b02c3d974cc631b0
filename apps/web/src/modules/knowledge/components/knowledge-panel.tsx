import { Button, Input, List, Skeleton, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { emitTemplateInsert } from '../../templates/insert-events.ts';
import { useKnowledgeSearch } from '../hooks/use-knowledge.ts';

/** The workbench customer panel's 知识库 tab: search articles, insert the answer or a help-centre link into the reply. */
export function KnowledgePanel({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const search = useKnowledgeSearch(q);
  const insert = (content: string) => emitTemplateInsert({ conversationId, content });

  return (
    <div data-testid="kb-panel">
      <Input.Search
        allowClear
        placeholder={t('knowledge.panelSearch')}
        onSearch={setQ}
        data-testid="kb-panel-search"
        style={{ marginBottom: 8 }}
      />
      {!q.trim() ? (
        <Typography.Text type="secondary" className="hk-small">
          {t('knowledge.panelHint')}
        </Typography.Text>
      ) : search.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : search.isError ? (
        <ErrorState error={search.error} onRetry={() => void search.refetch()} compact />
      ) : search.data.length === 0 ? (
        <EmptyState title={t('knowledge.noResults')} />
      ) : (
        <List
          size="small"
          dataSource={search.data}
          renderItem={(hit) => (
            <List.Item data-testid="kb-panel-hit">
              <Space direction="vertical" size={4} style={{ width: '100%' }}>
                <strong>{hit.title}</strong>
                <Typography.Paragraph type="secondary" ellipsis={{ rows: 3, expandable: true }} style={{ margin: 0 }}>
                  {hit.bodyText}
                </Typography.Paragraph>
                <Space size={4}>
                  <Button size="small" onClick={() => insert(hit.bodyText)} data-testid="kb-insert-text">
                    {t('knowledge.insertText')}
                  </Button>
                  {hit.url && (
                    <Button
                      size="small"
                      onClick={() => insert(`${hit.title}：${window.location.origin}${hit.url}`)}
                      data-testid="kb-insert-link"
                    >
                      {t('knowledge.insertLink')}
                    </Button>
                  )}
                </Space>
              </Space>
            </List.Item>
          )}
        />
      )}
    </div>
  );
}
