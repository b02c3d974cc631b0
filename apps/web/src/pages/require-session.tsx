import { lazy, Suspense } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../modules/identity/hooks/use-session.ts';
import { peekSignOutReason } from '../modules/identity/sign-out-reason.ts';
import { useSetupStatus } from '../modules/workspaces/hooks/use-setup.ts';
import { FullPageLoading } from '../ui/full-page-loading.tsx';

// Only shown when the server cannot be reached: not worth a place in the first download.
const ErrorState = lazy(() => import('../ui/error-state.tsx').then((module) => ({ default: module.ErrorState })));

/** Signed-in routes: a fresh install goes to /setup, a signed-out visitor to /login (and back afterwards). */
export function RequireSession() {
  const location = useLocation();
  const setup = useSetupStatus();
  const session = useSession();
  if (session.data) return <Outlet />;
  if (setup.data?.needsSetup) return <Navigate to="/setup" replace />;
  if (session.isPending || setup.isPending) return <FullPageLoading />;
  if (session.isError) {
    return (
      <div className="hk-full-page-center">
        <Suspense fallback={<FullPageLoading />}>
          <ErrorState error={session.error} onRetry={() => void session.refetch()} />
        </Suspense>
      </div>
    );
  }
  const next = `${location.pathname}${location.search}`;
  const params = new URLSearchParams();
  if (next && next !== '/') params.set('next', next);
  // Disabled by an admin, or the password changed (the socket said so): the login page tells them why.
  const reason = peekSignOutReason();
  if (reason) params.set('reason', reason);
  const query = params.toString();
  const search = query ? `?${query}` : '';
  return <Navigate to={`/login${search}`} replace />;
}
