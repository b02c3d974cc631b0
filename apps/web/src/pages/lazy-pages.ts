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
export const SettingsWebhooksPage = lazyNamed(() => import('./settings-webhooks-page.tsx'), 'SettingsWebhooksPage');
export const SettingsTokensPage = lazyNamed(() => import('./settings-tokens-page.tsx'), 'SettingsTokensPage');
export const CustomerDetailPage = lazyNamed(() => import('./customer-detail-page.tsx'), 'CustomerDetailPage');
export const StaleProfilesPage = lazyNamed(() => import('./stale-profiles-page.tsx'), 'StaleProfilesPage');
export const SettingsCustomerFieldsPage = lazyNamed(
  () => import('./settings-customer-fields-page.tsx'),
  'SettingsCustomerFieldsPage',
);
export const SettingsTagsPage = lazyNamed(() => import('./settings-tags-page.tsx'), 'SettingsTagsPage');
export const SettingsCustomerValuePage = lazyNamed(
  () => import('./settings-customer-value-page.tsx'),
  'SettingsCustomerValuePage',
);
export const SettingsWorkspacePage = lazyNamed(() => import('./settings-workspace-page.tsx'), 'SettingsWorkspacePage');
export const SegmentsPage = lazyNamed(() => import('./segments-page.tsx'), 'SegmentsPage');
export const CustomersImportPage = lazyNamed(() => import('./customers-import-page.tsx'), 'CustomersImportPage');
export const SettingsAuditLogPage = lazyNamed(() => import('./settings-audit-log-page.tsx'), 'SettingsAuditLogPage');
export const TemplatesPage = lazyNamed(() => import('./templates-page.tsx'), 'TemplatesPage');
export const SettingsHolidaysPage = lazyNamed(() => import('./settings-holidays-page.tsx'), 'SettingsHolidaysPage');
export const AutomationPage = lazyNamed(() => import('./automation-page.tsx'), 'AutomationPage');
export const SettingsKeywordRepliesPage = lazyNamed(
  () => import('./settings-keyword-replies-page.tsx'),
  'SettingsKeywordRepliesPage',
);
export const TicketsPage = lazyNamed(() => import('./tickets-page.tsx'), 'TicketsPage');
export const KnowledgePage = lazyNamed(() => import('./knowledge-page.tsx'), 'KnowledgePage');
export const SettingsBotPage = lazyNamed(() => import('./settings-bot-page.tsx'), 'SettingsBotPage');
export const TicketDetailPage = lazyNamed(() => import('./ticket-detail-page.tsx'), 'TicketDetailPage');
export const SettingsSlaPage = lazyNamed(() => import('./settings-sla-page.tsx'), 'SettingsSlaPage');
export const SettingsSurveysPage = lazyNamed(() => import('./settings-surveys-page.tsx'), 'SettingsSurveysPage');
export const ReportsPage = lazyNamed(() => import('./reports-page.tsx'), 'ReportsPage');
export const NotFoundPage = lazyNamed(() => import('./not-found-page.tsx'), 'NotFoundPage');
export const SettingsRoutingPage = lazyNamed(() => import('./settings-routing-page.tsx'), 'SettingsRoutingPage');
export const ReportsLivePage = lazyNamed(() => import('./reports-live-page.tsx'), 'ReportsLivePage');
