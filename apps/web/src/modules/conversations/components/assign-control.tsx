import { CheckOutlined, SwapOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import type { Conversation, Team, User } from '@huike/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Input, Popover, Tabs, Tooltip } from 'antd';
import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useCan } from '../../identity/hooks/use-session.ts';
import type { AgentStatus } from '../../routing/api/routing-api.ts';
import { routingKeys, useRoutingAgents } from '../../routing/hooks/use-routing.ts';
import { formatLoad, isOverCapacity, loadTitle } from '../../routing/labels.ts';
import { matchesName } from '../../tags/pinyin.ts';
import '../../routing/routing.css';
import type { AssignInput } from '../api/conversations-api.ts';
import { useAssignConversation } from '../hooks/use-conversations.ts';
import { useWorkbenchCommand } from '../workbench-events.ts';

type Props = {
  conversation: Conversation;
  agents: User[];
  teams: Team[];
  meId: string;
};

type ListKey = 'agents' | 'teams';

/** Name (or pinyin initials: 「xz」 finds 小周) or e-mail. */
const agentMatches = (agent: User, query: string) =>
  matchesName(agent.name, query) || agent.email.toLowerCase().includes(query.trim().toLowerCase());

/** A colleague's presence and load (3/8), for those who may see them (the routing agents list). */
function AgentStatusText({ status }: { status: AgentStatus | undefined }) {
  const { t } = useTranslation();
  if (!status) return null;
  const isOver = isOverCapacity(status.load, status.capacity);
  return (
    <Tooltip title={loadTitle(status.load, status.capacity, t)}>
      <span className="hk-assign-status" data-testid="assign-agent-status">
        <span className={`hk-presence-dot hk-presence-${status.presence}`} />
        {t(`routing.presence.${status.presence}`)}
        <span className={isOver ? 'hk-presence-load hk-presence-load-over' : 'hk-presence-load'}>
          {formatLoad(status.load, status.capacity, t)}
        </span>
      </span>
    </Tooltip>
  );
}

/** 转接: hand the conversation to an agent or to a team's queue — ↑/↓ and Enter in the search box, M claims it. */
export function AssignControl({ conversation, agents, teams, meId }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const queryClient = useQueryClient();
  const assign = useAssignConversation();
  const [isOpen, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [list, setList] = useState<ListKey>('agents');
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  const statuses = useRoutingAgents(isOpen && (can('queue:monitor') || can('routing:manage')));
  const statusOf = new Map((statuses.data ?? []).map((status) => [status.userId, status]));
  useWorkbenchCommand('open-assign', () => setOpen(true));

  const run = (input: AssignInput, done: string) => {
    assign.mutate(
      { id: conversation.id, input },
      {
        onSuccess: () => {
          setOpen(false);
          // Handing my chat on lowers my load; the realtime update no longer shows it was mine.
          void queryClient.invalidateQueries({ queryKey: routingKeys.me });
          void message.success(done);
        },
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  };

  useWorkbenchCommand('claim', () => {
    if (conversation.assigneeId !== meId && !assign.isPending) run({ assigneeId: meId }, t('assign.doneMe'));
  });

  const visibleAgents = agents.filter((agent) => agentMatches(agent, search));
  const visibleTeams = teams.filter((team) => matchesName(team.name, search));
  const agentChoices = visibleAgents.map(
    (agent) => () => run({ assigneeId: agent.id }, t('assign.doneAgent', { name: agent.name })),
  );
  const teamChoices = visibleTeams.map(
    (team) => () => run({ teamId: team.id, assigneeId: null }, t('assign.doneTeam', { name: team.name })),
  );
  const choices = list === 'agents' ? agentChoices : teamChoices;

  // Keep the highlighted row in view while ↑/↓ move it (the DOM query reads what they changed).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the highlight moves
  useEffect(() => {
    listRef.current?.querySelector('[aria-selected=true]')?.scrollIntoView({ block: 'nearest' });
  }, [active, list]);

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.nativeEvent.isComposing) return;
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (step !== 0 && choices.length > 0) {
      event.preventDefault();
      setActive((index) => (index + step + choices.length) % choices.length);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      choices[Math.min(active, choices.length - 1)]?.();
    } else if (event.key === 'Escape') {
      setOpen(false);
      setSearch('');
    }
  };

  const content = (
    <div className="hk-assign" data-testid="assign-panel">
      <Input
        size="small"
        allowClear
        autoFocus
        placeholder={t('assign.search')}
        value={search}
        onChange={(event) => {
          setSearch(event.target.value);
          setActive(0);
        }}
        onKeyDown={onSearchKey}
        aria-label={t('assign.search')}
        data-testid="assign-search"
      />
      <div className="hk-muted hk-small">{t('assign.keyboardHint')}</div>
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
        activeKey={list}
        onChange={(key) => {
          setList(key as ListKey);
          setActive(0);
        }}
        items={[
          {
            key: 'agents',
            label: (
              <span>
                <UserOutlined /> {t('assign.agents')}
              </span>
            ),
            children: (
              <div className="hk-assign-list" ref={list === 'agents' ? listRef : undefined} role="listbox">
                {visibleAgents.length === 0 && (
                  <div className="hk-muted hk-assign-empty">
                    {search.trim() ? t('assign.noMatch') : t('assign.noAgents')}
                  </div>
                )}
                {visibleAgents.map((agent, index) => (
                  <button
                    type="button"
                    key={agent.id}
                    role="option"
                    aria-selected={list === 'agents' && index === active}
                    className="hk-assign-item"
                    data-testid="assign-agent"
                    data-user-id={agent.id}
                    onMouseEnter={() => setActive(index)}
                    onClick={agentChoices[index]}
                  >
                    <span>
                      {agent.name}
                      {agent.id === meId ? ` (${t('assign.me')})` : ''}
                      <span className="hk-muted"> · {t(`roles.${agent.role}`)}</span>
                      <AgentStatusText status={statusOf.get(agent.id)} />
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
              <div className="hk-assign-list" ref={list === 'teams' ? listRef : undefined} role="listbox">
                {visibleTeams.length === 0 && (
                  <div className="hk-muted hk-assign-empty">
                    {search.trim() && teams.length > 0 ? t('assign.noTeamMatch') : t('assign.noTeams')}
                  </div>
                )}
                {visibleTeams.map((team, index) => (
                  <button
                    type="button"
                    key={team.id}
                    role="option"
                    aria-selected={list === 'teams' && index === active}
                    className="hk-assign-item"
                    data-testid="assign-team"
                    data-team-id={team.id}
                    onMouseEnter={() => setActive(index)}
                    onClick={teamChoices[index]}
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
        if (!open) {
          setSearch('');
          setActive(0);
        }
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
