import { ApiOutlined, GlobalOutlined, MailOutlined, MobileOutlined, WechatOutlined } from '@ant-design/icons';
import type { Inbox } from '@huike/contracts';
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type ChannelType = Inbox['channelType'];

const looks: Record<ChannelType, { icon: ReactNode; color: string }> = {
  website: { icon: <GlobalOutlined />, color: 'cyan' },
  api: { icon: <ApiOutlined />, color: 'geekblue' },
  email: { icon: <MailOutlined />, color: 'blue' },
  wechat: { icon: <WechatOutlined />, color: 'green' },
  sms: { icon: <MobileOutlined />, color: 'orange' },
};

/** The channel's icon on its own (lists, choice cards). */
export function ChannelIcon({ type }: { type: ChannelType }) {
  return <>{(looks[type] ?? looks.api).icon}</>;
}

export function ChannelTypeTag({ type }: { type: ChannelType }) {
  const { t } = useTranslation();
  const look = looks[type] ?? looks.api;
  return (
    <Tag icon={look.icon} color={look.color} data-testid="channel-type-tag" data-channel={type}>
      {t(`channels.${type}`)}
    </Tag>
  );
}
