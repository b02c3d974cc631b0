import { type ComponentType, lazy } from 'react';

/** React.lazy for a module's named export (the pages export named components). */
function lazyNamed<K extends string, M extends Record<K, ComponentType>>(load: () => Promise<M>, name: K) {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}

// /login is the only page in the first download; everything behind the session loads on demand.
const loadShell = () => import('./app-shell.tsx');
const loadInbox = () => import('./inbox-page.tsx');

/** Fetches the workbench's code ahead of time (while the agent types a password), so signing in is instant. */
export function preloadWorkbench(): void {
  void loadShell().catch(() => undefined);
  void loadInbox().catch(() => undefined);
}

/**
 * A signed-in page opened directly: start the shell (and the workbench, when that is the page) together with
 * the session request, instead of one after the other as each lazy component renders.
 */
export function preloadForPath(pathname: string): void {
  if (/^\/(login|setup)(\/|$)/.test(pathname)) return;
  void loadShell().catch(() => undefined);
  if (pathname === '/' || pathname.startsWith('/inbox')) void loadInbox().catch(() => undefined);
}

export const AppShell = lazyNamed(loadShell, 'AppShell');
export const InboxPage = lazyNamed(loadInbox, 'InboxPage');
export const SetupPage = lazyNamed(() => import('./setup-page.tsx'), 'SetupPage');
export const CustomersPage = lazyNamed(() => import('./customers-page.tsx'), 'CustomersPage');
export const SettingsUsersPage = lazyNamed(() => import('./settings-users-page.tsx'), 'SettingsUsersPage');
export const SettingsInboxesPage = lazyNamed(() => import('./settings-inboxes-page.tsx'), 'SettingsInboxesPage');
export const SettingsTokensPage = lazyNamed(() => import('./settings-tokens-page.tsx'), 'SettingsTokensPage');
export const NotFoundPage = lazyNamed(() => import('./not-found-page.tsx'), 'NotFoundPage');
