import { CheckOutlined, CopyOutlined } from '@ant-design/icons';
import { App, Button, type ButtonProps } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from './clipboard.ts';

type Props = { text: string; label?: string } & Omit<ButtonProps, 'onClick' | 'icon'>;

export function CopyButton({ text, label, ...buttonProps }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [isCopied, setCopied] = useState(false);
  useEffect(() => {
    if (!isCopied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [isCopied]);
  return (
    <Button
      {...buttonProps}
      icon={isCopied ? <CheckOutlined /> : <CopyOutlined />}
      onClick={async () => {
        if (await copyText(text)) {
          setCopied(true);
          void message.success(t('common.copied'));
        } else {
          void message.error(t('common.copyFailed'));
        }
      }}
    >
      {label ?? (isCopied ? t('common.copied') : t('common.copy'))}
    </Button>
  );
}
