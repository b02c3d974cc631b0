import { CheckCircleOutlined, MoreOutlined, RedoOutlined } from '@ant-design/icons';
import type { Conversation, ConversationStatus, Inbox, Team, User } from '@huike/contracts';
import { App, Button, Dropdown, Space, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { CustomerAvatar } from '../../../ui/customer-avatar.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { formatUpcoming } from '../../../ui/time.ts';
import { CreateTicketButton } from '../../tickets/components/create-ticket-button.tsx';
import { useChangeConversationStatus } from '../hooks/use-conversations.ts';
import { customerLabel } from '../labels.ts';
import { useWorkbenchCommand } from '../workbench-events.ts';
import { AssignControl } from './assign-control.tsx';
import { ChannelIcon } from './channel-icon.tsx';
import { SnoozeControl } from './snooze-control.tsx';
import { StatusTag } from './status-tag.tsx';

type Props = {
  conversation: Conversation;
  inbox?: Inbox;
  /** Email conversations: the thread's subject, shown as the title line. */
  subject?: string;
  users: Map<string, User>;
  teams: Team[];
  agents: User[];
  meId: string;
  canAssign: boolean;
  canChangeStatus: boolean;
};

export function ChatHeader({
  conversation,
  inbox,
  subject,
  users,
  teams,
  agents,
  meId,
  canAssign,
  canChangeStatus,
}: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const changeStatus = useChangeConversationStatus();
  const name = customerLabel(conversation, t, inbox?.channelType);
  const assignee = conversation.assigneeId ? users.get(conversation.assigneeId) : undefined;
  const team = conversation.teamId ? teams.find((each) => each.id === conversation.teamId) : undefined;

  const setStatus = (status: ConversationStatus, done: string, snoozedUntil?: string) => {
    changeStatus.mutate(
      { id: conversation.id, input: snoozedUntil ? { status, snoozedUntil } : { status } },
      {
        onSuccess: () => void message.success(done),
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );
  };

  const isResolved = conversation.status === 'resolved';
  useWorkbenchCommand('resolve', () => {
    if (canChangeStatus && !isResolved && !changeStatus.isPending) setStatus('resolved', t('actions.resolvedDone'));
  });

  const assigneeText = assignee
    ? assignee.id === meId
      ? t('chat.assignedToMe')
      : t('chat.assignedTo', { name: assignee.name })
    : conversation.assigneeId
      ? t('chat.assignedTo', { name: t('chat.unknownAgent') })
      : t('inbox.unassigned');

  return (
    <div className="hk-chat-header">
      <div className="hk-chat-title">
        <CustomerAvatar name={name} seed={conversation.customerId} size={32} />
        <div className="hk-chat-title-text">
          <div className="hk-chat-name">
            <span data-testid="chat-customer-name">{name}</span>
            <StatusTag status={conversation.status} />
          </div>
          {subject && (
            <div className="hk-chat-subject" title={subject} data-testid="chat-subject">
              {subject}
            </div>
          )}
          <div className="hk-chat-sub">
            <span data-testid="chat-channel">
              <ChannelIcon inbox={inbox} className="hk-chat-channel" /> {conversation.inboxName}
            </span>
            <span data-testid="chat-assignee">{assigneeText}</span>
            {team && <span>{t('chat.team', { name: team.name })}</span>}
          </div>
        </div>
      </div>
      <Space size={8} wrap className="hk-chat-actions">
        {canAssign && <AssignControl conversation={conversation} agents={agents} teams={teams} meId={meId} />}
        <CreateTicketButton conversation={conversation} />
        {canChangeStatus && !isResolved && conversation.status !== 'snoozed' && (
          <SnoozeControl
            isLoading={changeStatus.isPending && changeStatus.variables?.input.status === 'snoozed'}
            onSnooze={(until) =>
              setStatus('snoozed', t('actions.snoozedDone', { time: formatUpcoming(until, t) }), until)
            }
          />
        )}
        {canChangeStatus && (isResolved || conversation.status === 'snoozed') && (
          <Button
            icon={<RedoOutlined />}
            onClick={() => setStatus('open', t('actions.reopenedDone'))}
            loading={changeStatus.isPending && changeStatus.variables?.input.status === 'open'}
            data-testid="action-reopen"
          >
            {isResolved ? t('actions.reopen') : t('actions.unsnooze')}
          </Button>
        )}
        {canChangeStatus && !isResolved && (
          <Tooltip title={`${t('actions.resolveHelp')} (E)`}>
            <Button
              type="primary"
              icon={<CheckCircleOutlined />}
              onClick={() => setStatus('resolved', t('actions.resolvedDone'))}
              loading={changeStatus.isPending && changeStatus.variables?.input.status === 'resolved'}
              data-testid="action-resolve"
            >
              {t('actions.resolve')}
            </Button>
          </Tooltip>
        )}
        {canChangeStatus && !isResolved && (
          <Dropdown
            trigger={['click']}
            menu={{
              items:
                conversation.status === 'pending'
                  ? [{ key: 'open', label: t('actions.markOpen') }]
                  : [{ key: 'pending', label: t('actions.markPending') }],
              onClick: ({ key }) =>
                key === 'open'
                  ? setStatus('open', t('actions.reopenedDone'))
                  : setStatus('pending', t('actions.pendingDone')),
            }}
          >
            <Button icon={<MoreOutlined />} aria-label={t('actions.more')} data-testid="action-more" />
          </Dropdown>
        )}
      </Space>
    </div>
  );
}
