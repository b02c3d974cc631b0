import { ApiOutlined, GlobalOutlined, MailOutlined, MessageOutlined, WechatOutlined } from '@ant-design/icons';
import type { ChannelType, Inbox } from '@huike/contracts';
import { Tag, Tooltip } from 'antd';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';

const icons: Record<ChannelType, ComponentType> = {
  website: GlobalOutlined,
  email: MailOutlined,
  wechat: WechatOutlined,
  sms: MessageOutlined,
  api: ApiOutlined,
};

/** Each channel's own colour where the inbox has none (WeChat green, as buyers know it). */
const channelColors: Record<ChannelType, string> = {
  website: '#1677ff',
  email: '#fa8c16',
  wechat: '#07c160',
  sms: '#722ed1',
  api: '#2f54eb',
};

export const channelIconOf = (type: ChannelType): ComponentType => icons[type] ?? GlobalOutlined;
export const channelColorOf = (type: ChannelType): string => channelColors[type] ?? channelColors.website;

type Props = {
  inbox?: Inbox | undefined;
  /** Without an inbox object (customer channels, cross-channel history): the type and the inbox's name. */
  channelType?: ChannelType;
  inboxName?: string;
  className?: string;
};

/** The channel a conversation came in on (网站/邮件/公众号/短信/API), in the inbox's colour. */
export function ChannelIcon({ inbox, channelType, inboxName, className }: Props) {
  const { t } = useTranslation();
  const type = inbox?.channelType ?? channelType;
  if (!type) return null;
  const Icon = channelIconOf(type);
  const name = inbox?.name ?? inboxName;
  const label = t(`channels.${type}`);
  const color = type === 'website' ? (inbox?.settings.color ?? channelColorOf(type)) : channelColorOf(type);
  return (
    <Tooltip title={name ? `${name} · ${label}` : label}>
      <span
        className={className}
        style={{ color }}
        role="img"
        aria-label={label}
        data-testid="channel-icon"
        data-channel-type={type}
      >
        <Icon />
      </span>
    </Tooltip>
  );
}

/** A small tag with the channel's icon and the inbox's name (history lists, the channels section). */
export function ChannelTag({ channelType, inboxName }: { channelType: ChannelType; inboxName?: string }) {
  const { t } = useTranslation();
  const Icon = channelIconOf(channelType);
  return (
    <Tag
      className="hk-badge"
      icon={<Icon />}
      color={channelColorOf(channelType)}
      variant="outlined"
      data-testid="channel-tag"
      data-channel-type={channelType}
    >
      {inboxName ?? t(`channels.${channelType}`)}
    </Tag>
  );
}
