import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../../ui/copy-button.tsx';

/** The inbox secret stays hidden until someone asks to see it. */
export function SecretField({ secret }: { secret: string }) {
  const { t } = useTranslation();
  const [isRevealed, setRevealed] = useState(false);
  return (
    <Space wrap>
      <code className="hk-secret" data-testid="inbox-secret" data-revealed={isRevealed ? 'true' : 'false'}>
        {isRevealed ? secret : '•'.repeat(Math.min(32, Math.max(12, secret.length)))}
      </code>
      <Button
        size="small"
        icon={isRevealed ? <EyeInvisibleOutlined /> : <EyeOutlined />}
        onClick={() => setRevealed((value) => !value)}
        data-testid="inbox-secret-toggle"
      >
        {isRevealed ? t('common.hide') : t('common.reveal')}
      </Button>
      <CopyButton size="small" text={secret} />
    </Space>
  );
}
