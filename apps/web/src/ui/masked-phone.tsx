import { useTranslation } from 'react-i18next';

/** 13812345678 → 138****5678; keeps a country prefix and separators out of the way. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7) return phone.length > 2 ? `${phone.slice(0, 1)}****${phone.slice(-1)}` : '****';
  const local = digits.length > 11 && digits.startsWith('86') ? digits.slice(2) : digits;
  const prefix = phone.trim().startsWith('+') && local !== digits ? '+86 ' : '';
  return `${prefix}${local.slice(0, 3)}****${local.slice(-4)}`;
}

/** A phone shown masked, with no way to reveal it here: every reveal goes through the audited reveal endpoint. */
export function MaskedPhone({ phone }: { phone: string | null | undefined }) {
  const { t } = useTranslation();
  if (!phone) return <span className="hk-muted">{t('common.notSet')}</span>;
  return <span className="hk-mono hk-nowrap">{maskPhone(phone)}</span>;
}
