import type { AgentStatus, WaitingConversation } from '@huike/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { App, Card, Col, Empty, Progress, Row, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { formatDuration } from '../../../ui/time.ts';
import { WaitingTimer } from '../../conversations/components/waiting-timer.tsx';
import { useAssignConversation } from '../../conversations/hooks/use-conversations.ts';
import { customerLabel, previewText } from '../../conversations/labels.ts';
import { useTeams } from '../../identity/hooks/use-users.ts';
import { routingKeys, useLiveQueue } from '../hooks/use-routing.ts';
import { formatLoad, loadTitle } from '../labels.ts';
import '../routing.css';

const presenceColor: Record<AgentStatus['presence'], string> = {
  online: 'green',
  busy: 'orange',
  away: 'gold',
  offline: 'default',
};

/** 实时监控: queue per team and inbox, agents' presence and load, the longest waits with one-click moves. */
export function LiveQueueBoard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const client = useQueryClient();
  const live = useLiveQueue();
  const teams = useTeams();
  const assign = useAssignConversation();

  if (live.isError && !live.data) return <ErrorState error={live.error} onRetry={() => void live.refetch()} />;
  const data = live.data;
  const duration = (seconds: number) => formatDuration(seconds, t);
  const levelOf = (seconds: number) =>
    data && seconds >= data.thresholds.redSeconds
      ? 'late'
      : data && seconds >= data.thresholds.amberSeconds
        ? 'warn'
        : 'ok';

  const move = (conversationId: string, input: { assigneeId?: string; teamId?: string }) =>
    assign.mutate(
      { id: conversationId, input },
      {
        onSuccess: () => {
          void message.success(t('routing.live.moved'));
          void client.invalidateQueries({ queryKey: routingKeys.live });
        },
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );

  const agents = data?.agents ?? [];
  const groupCard = (title: string, groups: NonNullable<typeof data>['teams'], testId: string) => (
    <Card size="small" title={title} data-testid={testId}>
      <Space wrap size="large">
        {groups.map((group) => (
          <div key={group.id ?? 'none'} className="hk-live-group" data-testid={`${testId}-${group.id ?? 'none'}`}>
            <Statistic title={group.name ?? t('routing.live.noGroup')} value={group.waiting} />
            <span className={`hk-live-wait hk-waiting-${levelOf(group.longestWaitSeconds)}`}>
              {t('routing.live.longestWait')} {duration(group.longestWaitSeconds)}
            </span>
          </div>
        ))}
      </Space>
    </Card>
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="live-queue">
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          {groupCard(t('routing.live.teams'), data?.teams ?? [], 'live-teams')}
        </Col>
        <Col xs={24} lg={12}>
          {groupCard(t('routing.live.inboxes'), data?.inboxes ?? [], 'live-inboxes')}
        </Col>
      </Row>
      <Card size="small" title={t('routing.live.agents')}>
        <Table<AgentStatus>
          size="small"
          rowKey="userId"
          loading={live.isPending}
          pagination={false}
          dataSource={agents}
          onRow={(agent) => ({ 'data-testid': `live-agent-${agent.userId}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('routing.settings.agents'), dataIndex: 'name' },
            {
              title: t('routing.presenceLabel'),
              dataIndex: 'presence',
              render: (presence: AgentStatus['presence']) => (
                <Tag color={presenceColor[presence]} data-testid="live-agent-presence" data-presence={presence}>
                  {t(`routing.presence.${presence}`)}
                </Tag>
              ),
            },
            {
              title: t('routing.live.load'),
              render: (_, agent) => (
                <Space>
                  <Progress
                    type="line"
                    size="small"
                    style={{ width: 120 }}
                    percent={agent.capacity > 0 ? Math.round((agent.load / agent.capacity) * 100) : 0}
                    showInfo={false}
                    status={agent.capacity > 0 && agent.load >= agent.capacity ? 'exception' : 'normal'}
                  />
                  <Tooltip title={loadTitle(agent.load, agent.capacity, t)}>
                    <span data-testid="live-agent-load">{formatLoad(agent.load, agent.capacity, t)}</span>
                  </Tooltip>
                </Space>
              ),
            },
            {
              title: t('routing.settings.skills'),
              render: (_, agent) => (
                <Space size={4} wrap>
                  {agent.level === 'senior' && <Tag color="purple">{t('routing.settings.levels.senior')}</Tag>}
                  {agent.skills.map((skill) => (
                    <Tag key={skill}>{skill}</Tag>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('routing.live.waiting')}>
        {data && data.waiting.length === 0 ? (
          <Empty description={t('routing.live.empty')} />
        ) : (
          <Table<WaitingConversation>
            size="small"
            rowKey="conversationId"
            loading={live.isPending}
            pagination={false}
            dataSource={data?.waiting ?? []}
            onRow={(row) =>
              ({ 'data-testid': `live-waiting-${row.conversationId}` }) as React.HTMLAttributes<HTMLElement>
            }
            columns={[
              {
                title: t('routing.live.longestWait'),
                render: (_, row) => <WaitingTimer since={row.waitingSince} />,
              },
              {
                title: t('routing.live.customer'),
                render: (_, row) => (
                  <Space direction="vertical" size={0}>
                    <Link to={`/inbox/${row.conversationId}`}>{customerLabel(row, t, row.channelType)}</Link>
                    <Typography.Text type="secondary" ellipsis style={{ maxWidth: 260 }}>
                      {row.lastMessagePreview && previewText(row.lastMessagePreview, t)}
                    </Typography.Text>
                  </Space>
                ),
              },
              { title: t('routing.settings.inboxes'), dataIndex: 'inboxName' },
              { title: t('routing.live.team'), render: (_, row) => row.teamName ?? '—' },
              {
                title: t('routing.live.assignee'),
                render: (_, row) => row.assigneeName ?? <Tag>{t('routing.live.unassigned')}</Tag>,
              },
              {
                title: t('common.actions'),
                render: (_, row) => (
                  <Space>
                    <Select
                      size="small"
                      style={{ width: 140 }}
                      placeholder={t('routing.live.move')}
                      data-testid={`live-move-${row.conversationId}`}
                      value={null}
                      onChange={(assigneeId: string) => move(row.conversationId, { assigneeId })}
                      options={agents
                        .filter((agent) => agent.userId !== row.assigneeId)
                        .map((agent) => ({
                          value: agent.userId,
                          label: `${agent.name} · ${t(`routing.presence.${agent.presence}`)} ${formatLoad(agent.load, agent.capacity, t)}`,
                        }))}
                    />
                    <Select
                      size="small"
                      style={{ width: 130 }}
                      placeholder={t('routing.live.moveToTeam')}
                      value={null}
                      onChange={(teamId: string) => move(row.conversationId, { teamId })}
                      options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
                    />
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}
