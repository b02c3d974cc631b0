import { RedoOutlined, ReloadOutlined } from '@ant-design/icons';
import { App, Button, type ButtonProps, Popconfirm, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CursorPager, useCursorPages } from '../../../ui/cursor-pager.tsx';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import type { WebhookEndpoint } from '../api/webhooks-api.ts';
import { useAllWebhookDeliveries, useReplayDeliveries } from '../hooks/use-webhooks.ts';
import { DeliveriesTable } from './deliveries-table.tsx';

/** 失败投递: dead deliveries across every endpoint, replayed one by one or the selected ones at once. */
export function DeadLetterList({ endpoints }: { endpoints: WebhookEndpoint[] }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const pages = useCursorPages(20);
  const dead = useAllWebhookDeliveries({ status: 'dead', limit: pages.pageSize, cursor: pages.cursor });
  const replay = useReplayDeliveries();
  const [selected, setSelected] = useState<string[]>([]);
  const urls = useMemo(() => new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.url])), [endpoints]);
  const items = dead.data?.items ?? [];

  const run = (ids: string[]) =>
    replay.mutateAsync(ids).then(({ replayed, failed }) => {
      setSelected((current) => current.filter((id) => failed.some((each) => each.id === id)));
      if (failed.length === 0) {
        void message.success(
          ids.length === 1 ? t('webhooks.replayed') : t('webhooks.replayedCount', { count: replayed }),
        );
      } else {
        void message.error(
          t('webhooks.replayPartial', {
            ok: replayed,
            failed: failed.length,
            error: errorMessage(failed[0]?.error, t),
          }),
        );
      }
    });

  const confirmBulk = () =>
    modal.confirm({
      title: t('webhooks.replaySelectedConfirm', { count: selected.length }),
      content: t('webhooks.replayConfirmDescription'),
      okText: t('webhooks.replay'),
      okButtonProps: { 'data-testid': 'dead-replay-selected-ok' } as ButtonProps,
      onOk: () => run(selected),
    });

  return (
    <div className="hk-stack" data-testid="dead-letter-list">
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Space>
          <Button
            type="primary"
            icon={<RedoOutlined />}
            disabled={selected.length === 0}
            loading={replay.isPending && selected.length > 1}
            onClick={confirmBulk}
            data-testid="dead-replay-selected"
          >
            {t('webhooks.replaySelected', { count: selected.length })}
          </Button>
          {selected.length > 0 && (
            <Typography.Text type="secondary">
              {t('webhooks.selectedCount', { count: selected.length })}
            </Typography.Text>
          )}
        </Space>
        <Button icon={<ReloadOutlined />} loading={dead.isFetching} onClick={() => void dead.refetch()}>
          {t('webhooks.refresh')}
        </Button>
      </Space>
      {dead.isError ? (
        <ErrorState error={dead.error} onRetry={() => void dead.refetch()} compact />
      ) : (
        <>
          <DeliveriesTable
            deliveries={items}
            isLoading={dead.isPending}
            endpointUrl={(id) => urls.get(id) ?? null}
            rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) }}
            emptyText={<EmptyState title={t('webhooks.deadEmpty')} description={t('webhooks.deadEmptyHelp')} />}
            action={(delivery) => (
              <Popconfirm
                title={t('webhooks.replayConfirm')}
                description={t('webhooks.replayConfirmDescription')}
                okText={t('webhooks.replay')}
                onConfirm={() => run([delivery.id])}
              >
                <Button type="link" size="small" icon={<RedoOutlined />} data-testid="dead-replay">
                  {t('webhooks.replay')}
                </Button>
              </Popconfirm>
            )}
          />
          {(pages.cursor || dead.data?.nextCursor) && <CursorPager {...pages.pagerProps(dead.data)} />}
        </>
      )}
    </div>
  );
}
