import { QuestionCircleOutlined } from '@ant-design/icons';
import type { AgentStatus } from '@huike/contracts';
import { App, InputNumber, Select, Space, Table, Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useRoutingAgents, useUpdateAgentProfile } from '../hooks/use-routing.ts';
import '../routing.css';

const MAX_CAPACITY = 100;

/**
 * 接待上限, saved on blur / Enter. Not clamped: what was typed stays visible, and only a whole number 0–100 (what the
 * server takes) is sent; anything else, or the server's refusal, shows under the field.
 */
function CapacityInput({ agent, onSave }: { agent: AgentStatus; onSave: (capacity: number) => Promise<unknown> }) {
  const { t } = useTranslation();
  const [value, setValue] = useState<number | null>(agent.capacity);
  const [error, setError] = useState<string | null>(null);
  // A refetch brings the stored value (saved here or by another admin).
  useEffect(() => {
    setValue(agent.capacity);
    setError(null);
  }, [agent.capacity]);

  const commit = () => {
    if (value === null || !Number.isInteger(value) || value < 0 || value > MAX_CAPACITY) {
      setError(t('routing.settings.capacityInvalid'));
      return;
    }
    setError(null);
    if (value === agent.capacity) return;
    onSave(value).catch((failure: unknown) => setError(errorMessage(failure, t)));
  };

  return (
    <div className="hk-capacity">
      <InputNumber<number>
        size="small"
        value={value}
        onChange={(next) => {
          setValue(next);
          setError(null);
        }}
        onBlur={commit}
        onPressEnter={commit}
        status={error ? 'error' : undefined}
        aria-invalid={Boolean(error)}
        style={{ width: 90 }}
        data-testid={`routing-capacity-${agent.userId}`}
      />
      {error && (
        <div className="hk-capacity-error" role="alert" data-testid="routing-capacity-error">
          {error}
        </div>
      )}
    </div>
  );
}

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
          title: (
            <Space size={4}>
              {t('routing.settings.capacity')}
              <Tooltip title={t('routing.settings.capacityHelp')}>
                <QuestionCircleOutlined className="hk-muted" aria-label={t('routing.settings.capacityHelp')} />
              </Tooltip>
            </Space>
          ),
          render: (_, agent) => (
            <CapacityInput
              agent={agent}
              onSave={(capacity) =>
                update
                  .mutateAsync({ userId: agent.userId, input: { capacity } })
                  .then(() => void message.success(t('common.saved')))
              }
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
