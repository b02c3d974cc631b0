import type { ImportKind } from '@huike/contracts';
import { Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { ImportWizard } from '../modules/imports-exports/components/import-wizard.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 客户 → 导入: the import wizard for customers and orders. */
export function CustomersImportPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('imports.title'));
  const navigate = useNavigate();
  const can = useCan();
  const kinds: ImportKind[] = [
    ...(can('customers:import') ? (['customers'] as const) : []),
    ...(can('orders:write') ? (['orders'] as const) : []),
  ];
  return (
    <div className="hk-page">
      <PageHeader title={t('imports.title')} subtitle={t('imports.subtitle')} />
      {kinds.length ? (
        <ImportWizard kinds={kinds} onViewCustomers={() => navigate('/customers')} />
      ) : (
        <Card variant="borderless" className="hk-card">
          <EmptyState title={t('imports.forbiddenTitle')} description={t('imports.forbiddenDescription')} />
        </Card>
      )}
    </div>
  );
}
