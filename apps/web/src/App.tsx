import { QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { queryClient } from './api/query-client.ts';
import {
  AppShell,
  AutomationPage,
  CustomerDetailPage,
  CustomersImportPage,
  CustomersPage,
  InboxPage,
  KnowledgePage,
  NotFoundPage,
  preloadForPath,
  ReportsLivePage,
  ReportsPage,
  SegmentsPage,
  SettingsAuditLogPage,
  SettingsBotPage,
  SettingsCustomerFieldsPage,
  SettingsCustomerValuePage,
  SettingsHolidaysPage,
  SettingsInboxesPage,
  SettingsKeywordRepliesPage,
  SettingsRoutingPage,
  SettingsSlaPage,
  SettingsSurveysPage,
  SettingsTagsPage,
  SettingsTokensPage,
  SettingsUsersPage,
  SettingsWebhooksPage,
  SettingsWorkspacePage,
  SetupPage,
  StaleProfilesPage,
  TemplatesPage,
  TicketDetailPage,
  TicketsPage,
} from './pages/lazy-pages.ts';
import { LoginPage } from './pages/login-page.tsx';
import { RequireSession } from './pages/require-session.tsx';
import { FullPageLoading } from './ui/full-page-loading.tsx';

preloadForPath(window.location.pathname);

const router = createBrowserRouter([
  {
    path: '/setup',
    element: (
      <Suspense fallback={<FullPageLoading />}>
        <SetupPage />
      </Suspense>
    ),
  },
  { path: '/login', element: <LoginPage /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: (
          <Suspense fallback={<FullPageLoading />}>
            <AppShell />
          </Suspense>
        ),
        // The shell wraps its outlet in Suspense with a skeleton of the page being opened.
        children: [
          { index: true, element: <Navigate to="/inbox" replace /> },
          { path: 'inbox/:conversationId?', element: <InboxPage /> },
          { path: 'customers', element: <CustomersPage /> },
          { path: 'customers/stale-profiles', element: <StaleProfilesPage /> },
          { path: 'customers/import', element: <CustomersImportPage /> },
          { path: 'segments/:segmentId?', element: <SegmentsPage /> },
          { path: 'customers/:customerId/:tab?', element: <CustomerDetailPage /> },
          { path: 'templates', element: <TemplatesPage /> },
          { path: 'automation', element: <AutomationPage /> },
          { path: 'settings', element: <Navigate to="/settings/users" replace /> },
          { path: 'settings/users', element: <SettingsUsersPage /> },
          { path: 'settings/inboxes/:inboxId?', element: <SettingsInboxesPage /> },
          { path: 'settings/tokens', element: <SettingsTokensPage /> },
          { path: 'settings/webhooks', element: <SettingsWebhooksPage /> },
          { path: 'settings/customer-fields', element: <SettingsCustomerFieldsPage /> },
          { path: 'settings/tags', element: <SettingsTagsPage /> },
          { path: 'settings/customer-value', element: <SettingsCustomerValuePage /> },
          { path: 'settings/workspace', element: <SettingsWorkspacePage /> },
          { path: 'settings/audit-log', element: <SettingsAuditLogPage /> },
          { path: 'settings/holidays', element: <SettingsHolidaysPage /> },
          { path: 'settings/keyword-replies', element: <SettingsKeywordRepliesPage /> },
          { path: 'tickets', element: <TicketsPage /> },
          { path: 'tickets/:ticketId', element: <TicketDetailPage /> },
          { path: 'settings/sla', element: <SettingsSlaPage /> },
          { path: 'knowledge', element: <KnowledgePage /> },
          { path: 'settings/bot', element: <SettingsBotPage /> },
          { path: 'settings/routing', element: <SettingsRoutingPage /> },
          { path: 'reports', element: <ReportsPage /> },
          { path: 'reports/live', element: <ReportsLivePage /> },
          { path: 'settings/surveys', element: <SettingsSurveysPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);

function ThemedApp() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={i18n.language === 'en' ? enUS : zhCN}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: {
          colorPrimary: '#1677ff',
          borderRadius: 6,
          // The same stack as body in styles.css: Latin fonts first, Chinese characters fall through to the CJK ones.
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Liberation Sans', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', sans-serif",
        },
      }}
    >
      {/* Ant Design's <App> (message, modal, notification) lives in the signed-in shell: /login does not need it. */}
      <RouterProvider router={router} />
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ThemedApp />
    </QueryClientProvider>
  );
}
