import { PlusOutlined } from '@ant-design/icons';
import type { Team, User } from '@huike/contracts';
import { App, Button, Card, Form, Input, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { useCreateTeam } from '../hooks/use-users.ts';

type Props = { teams: Team[]; users: User[]; isLoading: boolean; canManage: boolean };

type Values = { name: string; memberIds: string[] };

/** 团队: groups of agents a conversation can be transferred to. */
export function TeamsCard({ teams, users, isLoading, canManage }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [isCreating, setCreating] = useState(false);
  const [form] = Form.useForm<Values>();
  const create = useCreateTeam();
  const userMap = new Map(users.map((user) => [user.id, user]));

  const open = () => {
    create.reset();
    form.resetFields();
    setCreating(true);
  };

  return (
    <Card
      variant="borderless"
      className="hk-card"
      title={t('teams.title')}
      extra={
        canManage && (
          <Button icon={<PlusOutlined />} onClick={open} data-testid="team-create">
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
        columns={[
          { key: 'name', title: t('teams.name'), dataIndex: 'name', width: 220 },
          {
            key: 'members',
            title: t('teams.members'),
            render: (_, team) =>
              team.memberIds.length === 0 ? (
                <span className="hk-muted">{t('teams.noMembers')}</span>
              ) : (
                team.memberIds.map((id) => <Tag key={id}>{userMap.get(id)?.name ?? '…'}</Tag>)
              ),
          },
        ]}
      />
      <FormDrawer
        open={isCreating}
        onClose={() => setCreating(false)}
        size={420}
        title={t('teams.createTitle')}
        submitLabel={t('teams.create')}
        submitTestId="team-submit"
        isSubmitting={create.isPending}
        error={create.isError ? create.error : undefined}
        onSubmit={() => form.submit()}
      >
        <Form<Values>
          form={form}
          layout="vertical"
          initialValues={{ memberIds: [] }}
          onFinish={(values) =>
            create.mutate(
              { name: values.name.trim(), memberIds: values.memberIds },
              {
                onSuccess: (team) => {
                  void message.success(t('teams.createdDone', { name: team.name }));
                  setCreating(false);
                },
              },
            )
          }
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
              options={users.filter((user) => !user.disabled).map((user) => ({ value: user.id, label: user.name }))}
            />
          </Form.Item>
        </Form>
      </FormDrawer>
    </Card>
  );
}
