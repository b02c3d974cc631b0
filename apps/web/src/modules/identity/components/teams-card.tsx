import { PlusOutlined } from '@ant-design/icons';
import type { Team, User } from '@huike/contracts';
import { App, Button, Card, Form, Input, Select, Space, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../../api/client.ts';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { useCreateTeam, useDeleteTeam, useUpdateTeam } from '../hooks/use-users.ts';

type Props = { teams: Team[]; users: User[]; isLoading: boolean; canManage: boolean };

type Values = { name: string; memberIds: string[] };

/** The drawer is closed, creating a team, or editing one. */
type Editing = { open: false } | { open: true; team?: Team };

/** 团队: groups of agents a conversation can be transferred to; renamed, regrouped and deleted here. */
export function TeamsCard({ teams, users, isLoading, canManage }: Props) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const [editing, setEditing] = useState<Editing>({ open: false });
  const [form] = Form.useForm<Values>();
  const create = useCreateTeam();
  const update = useUpdateTeam();
  const remove = useDeleteTeam();
  const userMap = new Map(users.map((user) => [user.id, user]));
  const team = editing.open ? editing.team : undefined;
  const saving = team ? update : create;

  const open = (target?: Team) => {
    create.reset();
    update.reset();
    setEditing({ open: true, team: target });
  };

  const submit = (values: Values) => {
    const input = { name: values.name.trim(), memberIds: values.memberIds };
    const done = (saved: Team) => {
      void message.success(t(team ? 'teams.savedDone' : 'teams.createdDone', { name: saved.name }));
      setEditing({ open: false });
    };
    if (team) update.mutate({ id: team.id, input }, { onSuccess: done });
    else create.mutate(input, { onSuccess: done });
  };

  const confirmDelete = (target: Team) =>
    modal.confirm({
      title: t('teams.deleteConfirm', { name: target.name }),
      content: (
        <Space orientation="vertical" size={8}>
          <Typography.Text>{t('teams.deleteDescription', { count: target.memberIds.length })}</Typography.Text>
          <Typography.Text type="secondary">{t('teams.deleteInUse')}</Typography.Text>
        </Space>
      ),
      okText: t('teams.delete'),
      okButtonProps: { danger: true, 'data-testid': 'team-delete-confirm' },
      onOk: () =>
        remove.mutateAsync(target.id).then(
          () => void message.success(t('teams.deletedDone', { name: target.name })),
          (error: unknown) => {
            // Still used by rules or templates: the server names them; say so in full rather than in a toast.
            if (isApiError(error, 'team.in_use')) {
              modal.warning({
                title: t('teams.deleteRefused', { name: target.name }),
                content: errorMessage(error, t),
              });
            } else {
              void message.error(errorMessage(error, t));
            }
          },
        ),
    });

  const columns: TableColumnsType<Team> = [
    { key: 'name', title: t('teams.name'), dataIndex: 'name', width: 220 },
    {
      key: 'members',
      title: t('teams.members'),
      render: (_, row) =>
        row.memberIds.length === 0 ? (
          <span className="hk-muted">{t('teams.noMembers')}</span>
        ) : (
          row.memberIds.map((id) => <Tag key={id}>{userMap.get(id)?.name ?? '…'}</Tag>)
        ),
    },
  ];
  if (canManage) {
    columns.push({
      key: 'actions',
      title: t('teams.actions'),
      width: 140,
      render: (_, row) => (
        <Space size={0}>
          <Button size="small" type="link" onClick={() => open(row)} data-testid="team-edit">
            {t('teams.edit')}
          </Button>
          <Button size="small" type="link" danger onClick={() => confirmDelete(row)} data-testid="team-delete">
            {t('teams.delete')}
          </Button>
        </Space>
      ),
    });
  }

  return (
    <Card
      variant="borderless"
      className="hk-card"
      title={t('teams.title')}
      extra={
        canManage && (
          <Button icon={<PlusOutlined />} onClick={() => open()} data-testid="team-create">
            {t('teams.create')}
          </Button>
        )
      }
    >
      <Table<Team>
        rowKey="id"
        size="middle"
        loading={isLoading}
        dataSource={teams}
        pagination={false}
        locale={{
          emptyText: <EmptyState title={t('teams.emptyTitle')} description={t('teams.emptyDescription')} />,
        }}
        columns={columns}
        onRow={(row) =>
          ({ 'data-testid': 'team-row', 'data-team-name': row.name }) as React.HTMLAttributes<HTMLElement>
        }
      />
      <FormDrawer
        open={editing.open}
        onClose={() => setEditing({ open: false })}
        size={420}
        title={t(team ? 'teams.editTitle' : 'teams.createTitle')}
        submitLabel={t(team ? 'teams.save' : 'teams.create')}
        submitTestId="team-submit"
        isSubmitting={saving.isPending}
        error={saving.isError ? saving.error : undefined}
        onSubmit={() => form.submit()}
      >
        {/* The drawer mounts the form afresh each time it opens, with the team's values or empty ones. */}
        <Form<Values>
          form={form}
          layout="vertical"
          initialValues={team ? { name: team.name, memberIds: team.memberIds } : { name: '', memberIds: [] }}
          onFinish={submit}
        >
          <Form.Item
            name="name"
            label={t('teams.name')}
            rules={[{ required: true, whitespace: true, message: t('teams.nameRequired') }, { max: 100 }]}
          >
            <Input placeholder={t('teams.namePlaceholder')} data-testid="team-name" />
          </Form.Item>
          <Form.Item name="memberIds" label={t('teams.members')}>
            <Select
              mode="multiple"
              allowClear
              optionFilterProp="label"
              options={users
                // A disabled member already in the team stays listed, so saving does not drop them silently.
                .filter((user) => !user.disabled || team?.memberIds.includes(user.id))
                .map((user) => ({ value: user.id, label: user.name }))}
              data-testid="team-members"
            />
          </Form.Item>
        </Form>
      </FormDrawer>
    </Card>
  );
}
