import { ApiOutlined, GlobalOutlined } from '@ant-design/icons';
import type { Inbox } from '@huike/contracts';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export function ChannelTypeTag({ type }: { type: Inbox['channelType'] }) {
  const { t } = useTranslation();
  return (
    <Tag icon={type === 'api' ? <ApiOutlined /> : <GlobalOutlined />} color={type === 'api' ? 'geekblue' : 'cyan'}>
      {t(`channels.${type}`)}
    </Tag>
  );
}
