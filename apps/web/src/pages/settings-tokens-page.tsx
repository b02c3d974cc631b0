import { Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiTokenCreator } from '../modules/identity/components/api-token-creator.tsx';
import { ApiTokenList } from '../modules/identity/components/api-token-list.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

export function SettingsTokensPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('tokens.title'));
  return (
    <div className="hk-page">
      <PageHeader title={t('tokens.title')} subtitle={t('tokens.subtitle')} />
      <Card variant="borderless" className="hk-card" title={t('tokens.createTitle')}>
        <Typography.Paragraph type="secondary">{t('tokens.explain')}</Typography.Paragraph>
        <ApiTokenCreator />
      </Card>
      <Card variant="borderless" className="hk-card" title={t('tokens.listTitle')}>
        <ApiTokenList />
      </Card>
    </div>
  );
}
