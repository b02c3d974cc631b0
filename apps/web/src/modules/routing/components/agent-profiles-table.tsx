import type { AgentStatus } from '@huike/contracts';
import { App, InputNumber, Select, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useRoutingAgents, useUpdateAgentProfile } from '../hooks/use-routing.ts';

/** Each agent's capacity, level and skills, edited in place (saved on change). */
export function AgentProfilesTable() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const agents = useRoutingAgents();
  const update = useUpdateAgentProfile();
  const save = (userId: string, input: Parameters<typeof update.mutate>[0]['input']) =>
    update.mutate(
      { userId, input },
      {
        onSuccess: () => void message.success(t('common.saved')),
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  return (
    <Table<AgentStatus>
      size="small"
      rowKey="userId"
      loading={agents.isPending}
      pagination={false}
      dataSource={(agents.data ?? []).filter((agent) => !agent.disabled)}
      onRow={(agent) => ({ 'data-testid': `routing-agent-${agent.userId}` }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: t('routing.settings.agents'), dataIndex: 'name' },
        {
          title: t('routing.presenceLabel'),
          dataIndex: 'presence',
          render: (presence: AgentStatus['presence']) => <Tag>{t(`routing.presence.${presence}`)}</Tag>,
        },
        {
          title: t('routing.settings.capacity'),
          render: (_, agent) => (
            <InputNumber
              size="small"
              min={0}
              max={100}
              defaultValue={agent.capacity}
              data-testid={`routing-capacity-${agent.userId}`}
              onBlur={(event) => {
                const value = Number(event.target.value);
                if (Number.isInteger(value) && value !== agent.capacity) save(agent.userId, { capacity: value });
              }}
            />
          ),
        },
        {
          title: t('routing.settings.level'),
          render: (_, agent) => (
            <Select
              size="small"
              style={{ width: 130 }}
              value={agent.level}
              onChange={(level) => save(agent.userId, { level })}
              options={(['standard', 'senior'] as const).map((level) => ({
                value: level,
                label: t(`routing.settings.levels.${level}`),
              }))}
            />
          ),
        },
        {
          title: t('routing.settings.skills'),
          render: (_, agent) => (
            <Select
              size="small"
              mode="tags"
              style={{ minWidth: 200 }}
              value={agent.skills}
              onChange={(skills: string[]) => save(agent.userId, { skills })}
            />
          ),
        },
      ]}
    />
  );
}
