import { Alert } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { LoginForm } from '../modules/identity/components/login-form.tsx';
import { useSession } from '../modules/identity/hooks/use-session.ts';
import { asSignOutReason, clearSignOutReason, type SignOutReason } from '../modules/identity/sign-out-reason.ts';
import { useSetupStatus } from '../modules/workspaces/hooks/use-setup.ts';
import { FullPageLoading } from '../ui/full-page-loading.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';
import { AuthLayout } from './auth-layout.tsx';
import { preloadWorkbench } from './lazy-pages.ts';

/** Only same-app paths are followed after login (no open redirect through ?next=). */
function safeNext(next: string | null): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) {
    return '/inbox';
  }
  return next;
}

/** What the login page says when the server ended the session (the reason rides in `?reason=`). */
const reasonNotices = {
  disabled: { type: 'warning', title: 'login.disabledNotice', testId: 'login-disabled-notice' },
  password_changed: { type: 'info', title: 'password.signedOutNotice', testId: 'login-password-changed-notice' },
} as const satisfies Record<SignOutReason, { type: 'warning' | 'info'; title: string; testId: string }>;

export function LoginPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('login.title'));
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const reason = asSignOutReason(params.get('reason'));
  const setup = useSetupStatus();
  const session = useSession();
  // The workbench's code downloads while the agent types; signing in then shows it at once.
  useEffect(() => {
    const idle = window.requestIdleCallback ?? ((callback: () => void) => window.setTimeout(callback, 1500));
    idle(preloadWorkbench);
    // The reason now rides in the URL (?reason=); a later sign-out should not repeat it.
    clearSignOutReason();
  }, []);
  if (setup.data?.needsSetup) return <Navigate to="/setup" replace />;
  if (session.data) return <Navigate to={next} replace />;
  if (session.isPending && setup.isPending) return <FullPageLoading />;
  return (
    <AuthLayout title={t('login.title')} subtitle={t('login.subtitle')}>
      <LoginForm
        onSignedIn={() => navigate(next, { replace: true })}
        notice={
          reason && (
            <Alert
              type={reasonNotices[reason].type}
              showIcon
              title={t(reasonNotices[reason].title)}
              style={{ marginBottom: 16 }}
              data-testid={reasonNotices[reason].testId}
            />
          )
        }
      />
    </AuthLayout>
  );
}
