import { useTranslation } from 'react-i18next';
import { ServiceDashboard } from '../modules/analytics/components/service-dashboard.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 数据 → 服务数据 (/reports). */
export function ReportsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('reports.title'));
  return (
    <div className="hk-page">
      <PageHeader title={t('reports.title')} subtitle={t('reports.subtitle')} />
      <ServiceDashboard />
    </div>
  );
}
