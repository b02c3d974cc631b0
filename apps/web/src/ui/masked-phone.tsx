import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** 13812345678 → 138****5678; keeps a country prefix and separators out of the way. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return phone.length > 2 ? `${phone.slice(0, 1)}****${phone.slice(-1)}` : '****';
  const local = digits.length > 11 && digits.startsWith('86') ? digits.slice(2) : digits;
  const prefix = phone.trim().startsWith('+') && local !== digits ? '+86 ' : '';
  return `${prefix}${local.slice(0, 3)}****${local.slice(-4)}`;
}

type Props = { phone: string | null | undefined; canReveal?: boolean };

export function MaskedPhone({ phone, canReveal = true }: Props) {
  const { t } = useTranslation();
  const [isRevealed, setRevealed] = useState(false);
  if (!phone) return <span className="hk-muted">{t('common.notSet')}</span>;
  return (
    <span className="hk-nowrap">
      <span className="hk-mono">{isRevealed ? phone : maskPhone(phone)}</span>
      {canReveal && (
        <Tooltip title={isRevealed ? t('common.hide') : t('common.reveal')}>
          <Button
            type="text"
            size="small"
            aria-label={isRevealed ? t('common.hide') : t('common.reveal')}
            icon={isRevealed ? <EyeInvisibleOutlined /> : <EyeOutlined />}
            onClick={(event) => {
              event.stopPropagation();
              setRevealed((value) => !value);
            }}
          />
        </Tooltip>
      )}
    </span>
  );
}
