import type { ApiToken } from '@huike/contracts';
import { Alert, Button, Empty, Popconfirm, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import { useApiTokens, useRevokeApiToken } from '../hooks/use-users.ts';

/** The signed-in user's tokens: name, first characters, created and last used; each can be revoked at once. */
export function ApiTokenList() {
  const { t } = useTranslation();
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  if (tokens.isError) return <Alert type="error" showIcon title={errorMessage(tokens.error, t)} />;
  return (
    <div className="hk-stack">
      {revoke.isError && <Alert type="error" showIcon title={errorMessage(revoke.error, t)} />}
      <Table<ApiToken>
        rowKey="id"
        size="middle"
        loading={tokens.isLoading}
        dataSource={tokens.data ?? []}
        pagination={false}
        data-testid="token-list"
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tokens.empty')} /> }}
        columns={[
          { title: t('tokens.name'), dataIndex: 'name' },
          {
            title: t('tokens.prefix'),
            dataIndex: 'prefix',
            render: (prefix: string | null) => <Typography.Text code>{prefix ? `${prefix}…` : 'hk_…'}</Typography.Text>,
          },
          { title: t('tokens.createdAt'), dataIndex: 'createdAt', render: formatDateTime },
          {
            title: t('tokens.lastUsedAt'),
            dataIndex: 'lastUsedAt',
            render: (iso: string | null) => (iso ? formatDateTime(iso) : t('tokens.neverUsed')),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, token) => (
              <Popconfirm
                title={t('tokens.revokeTitle', { name: token.name })}
                description={t('tokens.revokeDescription')}
                okText={t('tokens.revoke')}
                okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')}
                onConfirm={() => revoke.mutateAsync(token.id)}
              >
                <Button danger type="link" data-testid={`token-revoke-${token.name}`}>
                  {t('tokens.revoke')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </div>
  );
}
