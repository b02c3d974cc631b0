import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageToggle } from '../ui/language-toggle.tsx';

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
        <LanguageToggle />
      </div>
      <div className="hk-auth-card">
        <div className="hk-auth-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <div>
            <div className="hk-auth-brand-name">{t('app.name')}</div>
            <div className="hk-auth-brand-tagline">{t('app.tagline')}</div>
          </div>
        </div>
        {/* Plain elements styled like Typography.Title/Paragraph: the sign-in pages load as little as possible. */}
        <h1 className="hk-auth-title">{title}</h1>
        {subtitle && <p className="hk-auth-subtitle">{subtitle}</p>}
        {children}
      </div>
    </div>
  );
}
