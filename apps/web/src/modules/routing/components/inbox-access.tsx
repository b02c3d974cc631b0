import { App, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { useInboxMembers, useRoutingAgents, useSetInboxMembers } from '../hooks/use-routing.ts';

function InboxMembersRow({ inboxId, name }: { inboxId: string; name: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const members = useInboxMembers(inboxId);
  const agents = useRoutingAgents();
  const setMembers = useSetInboxMembers();
  return (
    <Space style={{ width: '100%' }} align="center">
      <Typography.Text strong style={{ width: 160, display: 'inline-block' }}>
        {name}
      </Typography.Text>
      <Select
        mode="multiple"
        style={{ minWidth: 360 }}
        placeholder={t('routing.settings.allStaff')}
        loading={members.isPending || setMembers.isPending}
        value={members.data ?? []}
        data-testid={`inbox-access-${inboxId}`}
        onChange={(userIds: string[]) =>
          setMembers.mutate({ inboxId, userIds }, { onError: (error) => void message.error(errorMessage(error, t)) })
        }
        options={(agents.data ?? [])
          .filter((agent) => !agent.disabled)
          .map((agent) => ({ value: agent.userId, label: agent.name }))}
      />
    </Space>
  );
}

/** Who may work each inbox; an inbox with nobody listed is open to every agent. */
export function InboxAccess() {
  const { t } = useTranslation();
  const inboxes = useInboxes();
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('routing.settings.inboxAccessHelp')}</Typography.Text>
      {(inboxes.data ?? []).map((inbox) => (
        <InboxMembersRow key={inbox.id} inboxId={inbox.id} name={inbox.name} />
      ))}
    </Space>
  );
}
