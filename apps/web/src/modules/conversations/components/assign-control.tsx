import { CheckOutlined, SwapOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import type { Conversation, Team, User } from '@huike/contracts';
import { App, Button, Input, Popover, Tabs, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import type { AssignInput } from '../api/conversations-api.ts';
import { useAssignConversation } from '../hooks/use-conversations.ts';
import { useWorkbenchCommand } from '../workbench-events.ts';

type Props = {
  conversation: Conversation;
  agents: User[];
  teams: Team[];
  meId: string;
};

/** 转接: hand the conversation to an agent or to a team's queue. */
export function AssignControl({ conversation, agents, teams, meId }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const assign = useAssignConversation();
  const [isOpen, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  useWorkbenchCommand('open-assign', () => setOpen(true));

  const run = (input: AssignInput, done: string) => {
    assign.mutate(
      { id: conversation.id, input },
      {
        onSuccess: () => {
          setOpen(false);
          void message.success(done);
        },
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  };

  const needle = search.trim().toLowerCase();
  const visibleAgents = agents.filter(
    (agent) => !needle || agent.name.toLowerCase().includes(needle) || agent.email.toLowerCase().includes(needle),
  );
  const visibleTeams = teams.filter((team) => !needle || team.name.toLowerCase().includes(needle));

  const content = (
    <div className="hk-assign" data-testid="assign-panel">
      <Input
        size="small"
        allowClear
        autoFocus
        placeholder={t('assign.search')}
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <div className="hk-assign-quick">
        {conversation.assigneeId !== meId && (
          <Button size="small" type="primary" ghost onClick={() => run({ assigneeId: meId }, t('assign.doneMe'))}>
            {t('assign.toMe')}
          </Button>
        )}
        {(conversation.assigneeId || conversation.teamId) && (
          <Button
            size="small"
            onClick={() => run({ assigneeId: null, teamId: null }, t('assign.doneUnassigned'))}
            data-testid="assign-clear"
          >
            {t('assign.clear')}
          </Button>
        )}
      </div>
      <Tabs
        size="small"
        items={[
          {
            key: 'agents',
            label: (
              <span>
                <UserOutlined /> {t('assign.agents')}
              </span>
            ),
            children: (
              <div className="hk-assign-list">
                {visibleAgents.length === 0 && <div className="hk-muted hk-assign-empty">{t('assign.noAgents')}</div>}
                {visibleAgents.map((agent) => (
                  <button
                    type="button"
                    key={agent.id}
                    className="hk-assign-item"
                    data-testid="assign-agent"
                    data-user-id={agent.id}
                    onClick={() => run({ assigneeId: agent.id }, t('assign.doneAgent', { name: agent.name }))}
                  >
                    <span>
                      {agent.name}
                      {agent.id === meId ? ` (${t('assign.me')})` : ''}
                      <span className="hk-muted"> · {t(`roles.${agent.role}`)}</span>
                    </span>
                    {conversation.assigneeId === agent.id && <CheckOutlined className="hk-assign-check" />}
                  </button>
                ))}
              </div>
            ),
          },
          {
            key: 'teams',
            label: (
              <span>
                <TeamOutlined /> {t('assign.teams')}
              </span>
            ),
            children: (
              <div className="hk-assign-list">
                {visibleTeams.length === 0 && <div className="hk-muted hk-assign-empty">{t('assign.noTeams')}</div>}
                {visibleTeams.map((team) => (
                  <button
                    type="button"
                    key={team.id}
                    className="hk-assign-item"
                    data-testid="assign-team"
                    data-team-id={team.id}
                    onClick={() =>
                      run({ teamId: team.id, assigneeId: null }, t('assign.doneTeam', { name: team.name }))
                    }
                  >
                    <span>
                      {team.name}
                      <span className="hk-muted"> · {t('assign.members', { count: team.memberIds.length })}</span>
                    </span>
                    {conversation.teamId === team.id && <CheckOutlined className="hk-assign-check" />}
                  </button>
                ))}
              </div>
            ),
          },
        ]}
      />
    </div>
  );

  return (
    <Popover
      open={isOpen}
      onOpenChange={(open) => {
        setOpen(open);
        if (!open) setSearch('');
      }}
      trigger="click"
      placement="bottomRight"
      title={t('assign.title')}
      content={content}
      destroyOnHidden
    >
      <Tooltip title={`${t('assign.title')} (A)`}>
        <Button
          icon={<SwapOutlined />}
          loading={assign.isPending}
          className="hk-collapsible-label"
          aria-label={t('assign.button')}
          data-testid="action-assign"
        >
          {t('assign.button')}
        </Button>
      </Tooltip>
    </Popover>
  );
}
