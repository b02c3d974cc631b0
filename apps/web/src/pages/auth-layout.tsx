import { Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../ui/language-switch.tsx';

/** The calm frame around /login and /setup: brand on top, a single card, language switch in the corner. */
export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="hk-auth">
      <div className="hk-auth-language">
        <LanguageSwitch />
      </div>
      <div className="hk-auth-card">
        <div className="hk-auth-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <div>
            <div className="hk-auth-brand-name">{t('app.name')}</div>
            <div className="hk-auth-brand-tagline">{t('app.tagline')}</div>
          </div>
        </div>
        <Typography.Title level={4} style={{ marginTop: 8 }}>
          {title}
        </Typography.Title>
        {subtitle && (
          <Typography.Paragraph type="secondary" style={{ marginTop: -4 }}>
            {subtitle}
          </Typography.Paragraph>
        )}
        {children}
      </div>
    </div>
  );
}
