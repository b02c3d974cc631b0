import { useTranslation } from 'react-i18next';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { LiveQueueBoard } from '../modules/routing/components/live-queue-board.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 实时监控 (leads): the live queue and every agent's presence and load. */
export function ReportsLivePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('routing.live.title'));
  const can = useCan();
  if (!can('queue:monitor')) return <EmptyState title={t('errors.forbidden')} />;
  return (
    <div className="hk-page">
      <PageHeader title={t('routing.live.title')} subtitle={t('routing.live.subtitle')} />
      <LiveQueueBoard />
    </div>
  );
}
