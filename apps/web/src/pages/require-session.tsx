import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../modules/identity/hooks/use-session.ts';
import { useSetupStatus } from '../modules/workspaces/hooks/use-setup.ts';
import { ErrorState } from '../ui/errors.tsx';
import { FullPageLoading } from '../ui/full-page-loading.tsx';

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
        <ErrorState error={session.error} onRetry={() => void session.refetch()} />
      </div>
    );
  }
  const next = `${location.pathname}${location.search}`;
  const search = next && next !== '/' ? `?next=${encodeURIComponent(next)}` : '';
  return <Navigate to={`/login${search}`} replace />;
}
