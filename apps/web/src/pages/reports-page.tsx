import { useTranslation } from 'react-i18next';
import { ServiceDashboard } from '../modules/analytics/components/service-dashboard.tsx';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 数据 → 服务数据 (/reports). */
export function ReportsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('reports.title'));
  const can = useCan();
  if (!can('reports:read')) return <EmptyState title={t('errors.forbidden')} />;
  return (
    <div className="hk-page">
      <PageHeader title={t('reports.title')} subtitle={t('reports.subtitle')} />
      <ServiceDashboard />
    </div>
  );
}
