import type { Role, Team, User } from '@huike/contracts';
import { App, Badge, Button, Popconfirm, Space, Table, type TableColumnsType, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useUpdateUser } from '../hooks/use-users.ts';
import { ResetPasswordModal } from './reset-password-modal.tsx';
import { RoleSelect } from './role-select.tsx';

type Props = {
  users: User[];
  teams: Map<string, Team>;
  isLoading: boolean;
  meId: string;
  canManage: boolean;
  onEdit: (user: User) => void;
};

const roleColors: Record<Role, string> = {
  owner: 'gold',
  admin: 'red',
  supervisor: 'purple',
  agent: 'blue',
  analyst: 'default',
};

export function UsersTable({ users, teams, isLoading, meId, canManage, onEdit }: Props) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const update = useUpdateUser();
  const [resetting, setResetting] = useState<User | null>(null);

  const change = (user: User, input: { role?: Role; disabled?: boolean }, done: string) =>
    update.mutateAsync({ id: user.id, input }).then(
      () => void message.success(done),
      (error: unknown) => void message.error(errorMessage(error, t)),
    );

  // A role is a grant of permissions, so a pick in the table only asks; the select stays on the old
  // role (it is controlled by user.role) until the change is confirmed and saved.
  const confirmRoleChange = (user: User, role: Role) =>
    modal.confirm({
      title: t('users.roleChangeConfirm', {
        name: user.name,
        from: t(`roles.${user.role}`),
        to: t(`roles.${role}`),
      }),
      content: t('users.roleChangeDescription', { role: t(`roles.${role}`), can: t(`roleDescriptions.${role}`) }),
      okText: t('users.roleChangeOk'),
      cancelText: t('common.cancel'),
      onOk: () => change(user, { role }, t('users.roleChanged', { name: user.name, role: t(`roles.${role}`) })),
    });

  // The owner and the signed-in admin themself are not changed from this table.
  const isLocked = (user: User) => user.role === 'owner' || user.id === meId;

  const columns: TableColumnsType<User> = [
    {
      key: 'name',
      title: t('users.name'),
      render: (_, user) => (
        <Space size={6}>
          <span className={user.disabled ? 'hk-muted' : undefined}>{user.name}</span>
          {user.id === meId && <Tag>{t('users.you')}</Tag>}
        </Space>
      ),
    },
    { key: 'email', title: t('users.email'), dataIndex: 'email', ellipsis: true },
    {
      key: 'role',
      title: t('users.role'),
      width: 150,
      render: (_, user) =>
        canManage && !isLocked(user) && !user.disabled ? (
          <RoleSelect
            size="small"
            value={user.role}
            style={{ width: 110 }}
            onChange={(role) => confirmRoleChange(user, role)}
          />
        ) : (
          <Tag color={roleColors[user.role]}>{t(`roles.${user.role}`)}</Tag>
        ),
    },
    {
      key: 'teams',
      title: t('users.teams'),
      render: (_, user) =>
        user.teamIds.length === 0 ? (
          <span className="hk-muted">—</span>
        ) : (
          user.teamIds.map((id) => <Tag key={id}>{teams.get(id)?.name ?? '…'}</Tag>)
        ),
    },
    {
      key: 'status',
      title: t('users.status'),
      width: 100,
      render: (_, user) =>
        user.disabled ? (
          <Badge status="default" text={t('users.disabled')} />
        ) : (
          <Badge status="success" text={t('users.active')} />
        ),
    },
    {
      key: 'createdAt',
      title: t('users.createdAt'),
      width: 120,
      render: (_, user) => <RelativeTime iso={user.createdAt} />,
    },
  ];

  if (canManage) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      width: 230,
      render: (_, user) => (
        <Space size={0}>
          <Button
            type="link"
            size="small"
            onClick={() => onEdit(user)}
            disabled={user.role === 'owner' && user.id !== meId}
          >
            {t('common.edit')}
          </Button>
          {!isLocked(user) && (
            <Button type="link" size="small" onClick={() => setResetting(user)} data-testid="user-reset-password">
              {t('password.reset')}
            </Button>
          )}
          {!isLocked(user) &&
            (user.disabled ? (
              <Popconfirm
                title={t('users.enableConfirm', { name: user.name })}
                okText={t('users.enable')}
                cancelText={t('common.cancel')}
                onConfirm={() => change(user, { disabled: false }, t('users.enabledDone', { name: user.name }))}
              >
                <Button type="link" size="small" data-testid="user-enable">
                  {t('users.enable')}
                </Button>
              </Popconfirm>
            ) : (
              <Popconfirm
                title={t('users.disableConfirm', { name: user.name })}
                description={t('users.disableConfirmDescription')}
                okText={t('users.disable')}
                okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')}
                onConfirm={() => change(user, { disabled: true }, t('users.disabledDone', { name: user.name }))}
              >
                <Button type="link" size="small" danger data-testid="user-disable">
                  {t('users.disable')}
                </Button>
              </Popconfirm>
            ))}
        </Space>
      ),
    });
  }

  return (
    <>
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
      <Table<User>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={users}
        loading={isLoading}
        pagination={users.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        onRow={(user) => ({ 'data-testid': 'user-row', 'data-user-id': user.id }) as React.HTMLAttributes<HTMLElement>}
      />
    </>
  );
}
