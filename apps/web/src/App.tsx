import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { queryClient } from './api/query-client.ts';
import { AppShell } from './pages/app-shell.tsx';
import { CustomersPage } from './pages/customers-page.tsx';
import { InboxPage } from './pages/inbox-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { RequireSession } from './pages/require-session.tsx';
import { SettingsInboxesPage } from './pages/settings-inboxes-page.tsx';
import { SettingsTokensPage } from './pages/settings-tokens-page.tsx';
import { SettingsUsersPage } from './pages/settings-users-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';

const router = createBrowserRouter([
  { path: '/setup', element: <SetupPage /> },
  { path: '/login', element: <LoginPage /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: <AppShell />,
        children: [
          { index: true, element: <Navigate to="/inbox" replace /> },
          { path: 'inbox/:conversationId?', element: <InboxPage /> },
          { path: 'customers/:customerId?', element: <CustomersPage /> },
          { path: 'settings', element: <Navigate to="/settings/users" replace /> },
          { path: 'settings/users', element: <SettingsUsersPage /> },
          { path: 'settings/inboxes/:inboxId?', element: <SettingsInboxesPage /> },
          { path: 'settings/tokens', element: <SettingsTokensPage /> },
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
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
        },
      }}
    >
      <AntApp>
        <RouterProvider router={router} />
      </AntApp>
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
