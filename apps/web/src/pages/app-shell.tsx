import {
  ApiOutlined,
  AuditOutlined,
  BookOutlined,
  CalendarOutlined,
  ClusterOutlined,
  CommentOutlined,
  DashboardOutlined,
  DownOutlined,
  FieldTimeOutlined,
  FileTextOutlined,
  FormOutlined,
  FundOutlined,
  KeyOutlined,
  LikeOutlined,
  LockOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  MessageOutlined,
  NodeIndexOutlined,
  RobotOutlined,
  SendOutlined,
  SettingOutlined,
  ShopOutlined,
  SnippetsOutlined,
  TagsOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { App as AntApp, Avatar, Badge, Button, Dropdown, Layout, Menu, type MenuProps, Space, Tooltip } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { AlertBell } from '../modules/alerts/components/alert-bell.tsx';
import { ChangePasswordModal } from '../modules/identity/components/change-password-modal.tsx';
import { useCan, useCurrentSession, useLogout } from '../modules/identity/hooks/use-session.ts';
import { useRealtimeStatus } from '../realtime/realtime-status.ts';
import { useRealtime } from '../realtime/use-realtime.ts';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import { PageSkeleton, WorkbenchSkeleton } from '../ui/page-skeleton.tsx';

const collapsedKey = 'huike.siderCollapsed';

function selectedMenuKey(pathname: string): string {
  if (pathname.startsWith('/inbox')) return '/inbox';
  if (pathname.startsWith('/customers')) return '/customers';
  if (pathname.startsWith('/tickets')) return '/tickets';
  if (pathname.startsWith('/knowledge')) return '/knowledge';
  if (pathname.startsWith('/settings/bot')) return '/settings/bot';
  if (pathname.startsWith('/settings/sla')) return '/settings/sla';
  if (pathname.startsWith('/settings/routing')) return '/settings/routing';
  if (pathname.startsWith('/reports/live')) return '/reports/live';
  if (pathname.startsWith('/settings/surveys')) return '/settings/surveys';
  if (pathname.startsWith('/segments')) return '/segments';
  if (pathname === '/reports') return '/reports';
  if (pathname.startsWith('/templates')) return '/templates';
  if (pathname.startsWith('/automation')) return '/automation';
  if (pathname.startsWith('/settings/audit-log')) return '/settings/audit-log';
  if (pathname.startsWith('/settings/workspace')) return '/settings/workspace';
  if (pathname.startsWith('/settings/users')) return '/settings/users';
  if (pathname.startsWith('/settings/inboxes')) return '/settings/inboxes';
  if (pathname.startsWith('/settings/webhooks')) return '/settings/webhooks';
  if (pathname.startsWith('/settings/tokens')) return '/settings/tokens';
  if (pathname.startsWith('/settings/customer-fields')) return '/settings/customer-fields';
  if (pathname.startsWith('/settings/tags')) return '/settings/tags';
  if (pathname.startsWith('/settings/customer-value')) return '/settings/customer-value';
  if (pathname.startsWith('/settings/holidays')) return '/settings/holidays';
  if (pathname.startsWith('/settings/keyword-replies')) return '/settings/keyword-replies';
  return pathname;
}

function RealtimeIndicator() {
  const { t } = useTranslation();
  const status = useRealtimeStatus();
  const badge =
    status === 'open'
      ? { status: 'success' as const, text: t('shell.realtimeOpen') }
      : status === 'reconnecting'
        ? { status: 'warning' as const, text: t('shell.realtimeReconnecting') }
        : { status: 'processing' as const, text: t('shell.realtimeConnecting') };
  return (
    <Tooltip title={status === 'open' ? t('shell.realtimeOpenHelp') : t('shell.realtimeDownHelp')}>
      <span className="hk-realtime" data-testid="realtime-status" data-status={status}>
        <Badge status={badge.status} text={badge.text} />
      </span>
    </Tooltip>
  );
}

/** The signed-in frame; Ant Design's <App> (message, modal, notification) starts here, /login does without. */
export function AppShell() {
  return (
    <AntApp className="hk-app">
      <ShellLayout />
    </AntApp>
  );
}

function ShellLayout() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const session = useCurrentSession();
  const can = useCan();
  const logout = useLogout();
  useRealtime(session.user.id);
  const [isCollapsed, setCollapsed] = useState(() => window.localStorage.getItem(collapsedKey) === '1');
  const [isChangingPassword, setChangingPassword] = useState(false);

  const toggleCollapsed = () => {
    setCollapsed((value) => {
      window.localStorage.setItem(collapsedKey, value ? '0' : '1');
      return !value;
    });
  };

  const items: MenuProps['items'] = [
    { key: '/inbox', icon: <CommentOutlined />, label: <Link to="/inbox">{t('nav.inbox')}</Link> },
    { key: '/customers', icon: <UserOutlined />, label: <Link to="/customers">{t('nav.customers')}</Link> },
    ...(can('tickets:read')
      ? [
          {
            key: '/tickets',
            icon: <FileTextOutlined />,
            label: (
              <Link to="/tickets" data-testid="nav-tickets">
                {t('tickets.title')}
              </Link>
            ),
          },
        ]
      : []),
    {
      key: '/knowledge',
      icon: <BookOutlined />,
      label: (
        <Link to="/knowledge" data-testid="nav-knowledge">
          {t('knowledge.nav')}
        </Link>
      ),
    },
    { key: '/segments', icon: <ClusterOutlined />, label: <Link to="/segments">{t('nav.segments')}</Link> },
    ...(can('reports:read')
      ? [
          {
            key: 'reports',
            icon: <FundOutlined />,
            label: t('reports.nav'),
            children: [
              {
                key: '/reports',
                label: (
                  <Link to="/reports" data-testid="nav-reports">
                    {t('reports.title')}
                  </Link>
                ),
              },
            ],
          },
        ]
      : []),
    ...(can('templates:use')
      ? [
          {
            key: '/templates',
            icon: <SnippetsOutlined />,
            label: (
              <Link to="/templates" data-testid="nav-templates">
                {t('nav.templates')}
              </Link>
            ),
          },
        ]
      : []),
    ...(can('automation:read')
      ? [
          {
            key: '/automation',
            icon: <ThunderboltOutlined />,
            label: (
              <Link to="/automation" data-testid="nav-automation">
                {t('nav.automation')}
              </Link>
            ),
          },
        ]
      : []),
    ...(can('queue:monitor')
      ? [
          {
            key: '/reports/live',
            icon: <DashboardOutlined />,
            label: (
              <Link to="/reports/live" data-testid="nav-live-queue">
                {t('routing.live.title')}
              </Link>
            ),
          },
        ]
      : []),
    {
      key: 'settings',
      icon: <SettingOutlined />,
      label: t('nav.settings'),
      children: [
        {
          key: '/settings/workspace',
          icon: <ShopOutlined />,
          label: (
            <Link to="/settings/workspace" data-testid="nav-workspace">
              {t('nav.workspace')}
            </Link>
          ),
        },
        { key: '/settings/users', icon: <TeamOutlined />, label: <Link to="/settings/users">{t('nav.users')}</Link> },
        {
          key: '/settings/inboxes',
          icon: <ApiOutlined />,
          label: <Link to="/settings/inboxes">{t('nav.inboxes')}</Link>,
        },
        ...(can('webhooks:manage')
          ? [
              {
                key: '/settings/webhooks',
                icon: <SendOutlined />,
                label: (
                  <Link to="/settings/webhooks" data-testid="nav-webhooks">
                    {t('webhooks.title')}
                  </Link>
                ),
              },
            ]
          : []),
        { key: '/settings/tokens', icon: <KeyOutlined />, label: <Link to="/settings/tokens">{t('nav.tokens')}</Link> },
        {
          key: '/settings/customer-fields',
          icon: <FormOutlined />,
          label: <Link to="/settings/customer-fields">{t('nav.customerFields')}</Link>,
        },
        { key: '/settings/tags', icon: <TagsOutlined />, label: <Link to="/settings/tags">{t('nav.tags')}</Link> },
        {
          key: '/settings/customer-value',
          icon: <FundOutlined />,
          label: <Link to="/settings/customer-value">{t('nav.customerValue')}</Link>,
        },
        ...(can('automation:read')
          ? [
              {
                key: '/settings/holidays',
                icon: <CalendarOutlined />,
                label: <Link to="/settings/holidays">{t('nav.holidays')}</Link>,
              },
              {
                key: '/settings/keyword-replies',
                icon: <MessageOutlined />,
                label: (
                  <Link to="/settings/keyword-replies" data-testid="nav-keyword-replies">
                    {t('nav.keywordReplies')}
                  </Link>
                ),
              },
            ]
          : []),
        ...(can('tickets:read')
          ? [
              {
                key: '/settings/sla',
                icon: <FieldTimeOutlined />,
                label: <Link to="/settings/sla">{t('tickets.slaSettings.title')}</Link>,
              },
            ]
          : []),
        ...(can('routing:manage')
          ? [
              {
                key: '/settings/routing',
                icon: <NodeIndexOutlined />,
                label: (
                  <Link to="/settings/routing" data-testid="nav-routing">
                    {t('routing.settings.title')}
                  </Link>
                ),
              },
            ]
          : []),
        {
          key: '/settings/bot',
          icon: <RobotOutlined />,
          label: (
            <Link to="/settings/bot" data-testid="nav-bot">
              {t('knowledge.botTitle')}
            </Link>
          ),
        },
        {
          key: '/settings/surveys',
          icon: <LikeOutlined />,
          label: (
            <Link to="/settings/surveys" data-testid="nav-surveys">
              {t('surveys.title')}
            </Link>
          ),
        },
        ...(can('audit:read')
          ? [
              {
                key: '/settings/audit-log',
                icon: <AuditOutlined />,
                label: <Link to="/settings/audit-log">{t('nav.auditLog')}</Link>,
              },
            ]
          : []),
      ],
    },
  ];

  const isWorkbench = location.pathname.startsWith('/inbox');

  return (
    <Layout className="hk-shell">
      <Layout.Sider
        collapsible
        collapsed={isCollapsed}
        trigger={null}
        width={208}
        collapsedWidth={56}
        theme="light"
        className="hk-sider"
      >
        <Link to="/inbox" className="hk-brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          {!isCollapsed && <span className="hk-brand-name">{t('app.name')}</span>}
        </Link>
        <Menu
          mode="inline"
          selectedKeys={[selectedMenuKey(location.pathname)]}
          defaultOpenKeys={['settings']}
          items={items}
          className="hk-menu"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="hk-header">
          <Space size={8}>
            <Button
              type="text"
              aria-label={isCollapsed ? t('shell.expandMenu') : t('shell.collapseMenu')}
              icon={isCollapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
              onClick={toggleCollapsed}
            />
            <span className="hk-workspace-name">{session.workspace.name}</span>
          </Space>
          <Space size={12}>
            <RealtimeIndicator />
            <AlertBell />
            <LanguageSwitch />
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  {
                    key: 'role',
                    disabled: true,
                    label: `${session.user.email} · ${t(`roles.${session.user.role}`)}`,
                  },
                  { type: 'divider' },
                  { key: 'password', icon: <LockOutlined />, label: t('password.change') },
                  { key: 'logout', icon: <LogoutOutlined />, label: t('shell.logout'), danger: true },
                ],
                onClick: ({ key }) => {
                  if (key === 'password') setChangingPassword(true);
                  if (key === 'logout') {
                    logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });
                  }
                },
              }}
            >
              <Button type="text" className="hk-user-button" data-testid="user-menu">
                <Avatar size={24} style={{ backgroundColor: '#1677ff' }}>
                  {Array.from(session.user.name)[0] ?? '?'}
                </Avatar>
                <span data-testid="current-user">{session.user.name}</span>
                <DownOutlined style={{ fontSize: 10 }} />
              </Button>
            </Dropdown>
            <ChangePasswordModal open={isChangingPassword} onClose={() => setChangingPassword(false)} />
          </Space>
        </Layout.Header>
        <Layout.Content className={isWorkbench ? 'hk-content hk-content-workbench' : 'hk-content'}>
          {/* The pages load on demand: a skeleton of the page being opened while its code arrives. */}
          <Suspense fallback={isWorkbench ? <WorkbenchSkeleton /> : <PageSkeleton />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
