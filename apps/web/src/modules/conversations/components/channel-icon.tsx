import { ApiOutlined, GlobalOutlined } from '@ant-design/icons';
import type { Inbox } from '@huike/contracts';
import { Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';

/** The channel a conversation came in on, in the inbox's colour. */
export function ChannelIcon({ inbox, className }: { inbox: Inbox | undefined; className?: string }) {
  const { t } = useTranslation();
  if (!inbox) return null;
  const Icon = inbox.channelType === 'api' ? ApiOutlined : GlobalOutlined;
  return (
    <Tooltip title={`${inbox.name} · ${t(`channels.${inbox.channelType}`)}`}>
      <span className={className} style={{ color: inbox.settings.color }}>
        <Icon />
      </span>
    </Tooltip>
  );
}
