import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { useSession } from '../modules/identity/hooks/use-session.ts';
import { SetupForm } from '../modules/workspaces/components/setup-form.tsx';
import { useSetupStatus } from '../modules/workspaces/hooks/use-setup.ts';
import { ErrorState } from '../ui/error-state.tsx';
import { FullPageLoading } from '../ui/full-page-loading.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';
import { AuthLayout } from './auth-layout.tsx';

export function SetupPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('setup.title'));
  const navigate = useNavigate();
  const setup = useSetupStatus();
  const session = useSession();
  if (setup.isPending) return <FullPageLoading />;
  if (setup.isError) {
    return (
      <div className="hk-full-page-center">
        <ErrorState error={setup.error} onRetry={() => void setup.refetch()} />
      </div>
    );
  }
  if (!setup.data.needsSetup) return <Navigate to={session.data ? '/inbox' : '/login'} replace />;
  return (
    <AuthLayout title={t('setup.title')} subtitle={t('setup.subtitle')}>
      <SetupForm onDone={() => navigate('/inbox', { replace: true })} />
    </AuthLayout>
  );
}
