import { PlusOutlined } from '@ant-design/icons';
import type { User } from '@huike/contracts';
import { Button, Card, Input, Select, Space } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TeamsCard } from '../modules/identity/components/teams-card.tsx';
import { UserDrawer } from '../modules/identity/components/user-drawer.tsx';
import { UsersTable } from '../modules/identity/components/users-table.tsx';
import { useCan, useCurrentUser } from '../modules/identity/hooks/use-session.ts';
import { useTeamMap, useTeams, useUsers } from '../modules/identity/hooks/use-users.ts';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

type StatusFilter = 'all' | 'active' | 'disabled';

export function SettingsUsersPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('users.title'));
  const me = useCurrentUser();
  const can = useCan();
  const users = useUsers();
  const teams = useTeams();
  const teamMap = useTeamMap();
  const [drawer, setDrawer] = useState<{ open: boolean; user?: User }>({ open: false });
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const canManage = can('users:manage');

  const visible = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (users.data ?? []).filter(
      (user) =>
        (status === 'all' || (status === 'disabled') === user.disabled) &&
        (!needle || user.name.toLowerCase().includes(needle) || user.email.toLowerCase().includes(needle)),
    );
  }, [users.data, search, status]);

  return (
    <div className="hk-page">
      <PageHeader
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        extra={
          canManage && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setDrawer({ open: true })}
              data-testid="user-add"
            >
              {t('users.add')}
            </Button>
          )
        }
      />
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        <Card variant="borderless" className="hk-card">
          <div className="hk-filter-bar">
            <Input.Search
              allowClear
              placeholder={t('users.searchPlaceholder')}
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              style={{ maxWidth: 320 }}
            />
            <Select<StatusFilter>
              value={status}
              onChange={setStatus}
              style={{ width: 130 }}
              options={[
                { value: 'all', label: t('users.statusAll') },
                { value: 'active', label: t('users.active') },
                { value: 'disabled', label: t('users.disabled') },
              ]}
            />
          </div>
          {users.isError ? (
            <ErrorState error={users.error} onRetry={() => void users.refetch()} />
          ) : (
            <UsersTable
              users={visible}
              teams={teamMap}
              isLoading={users.isPending}
              meId={me.id}
              canManage={canManage}
              onEdit={(user) => setDrawer({ open: true, user })}
            />
          )}
        </Card>
        <TeamsCard
          teams={teams.data ?? []}
          users={users.data ?? []}
          isLoading={teams.isPending}
          canManage={can('teams:manage')}
        />
      </Space>
      <UserDrawer
        open={drawer.open}
        user={drawer.user}
        teams={teams.data ?? []}
        onClose={() => setDrawer((current) => ({ ...current, open: false }))}
      />
    </div>
  );
}
