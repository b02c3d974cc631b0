import { PlusOutlined } from '@ant-design/icons';
import type { RoutingRule } from '@huike/contracts';
import { Button, Card, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { AgentProfilesTable } from '../modules/routing/components/agent-profiles-table.tsx';
import { InboxAccess } from '../modules/routing/components/inbox-access.tsx';
import { RoutingLogTable } from '../modules/routing/components/routing-log-table.tsx';
import { RoutingRuleDrawer } from '../modules/routing/components/routing-rule-drawer.tsx';
import { RoutingRulesTable } from '../modules/routing/components/routing-rules-table.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 路由规则 (admins): ordered rules, agents' capacity and skills, inbox access, and the routing log. */
export function SettingsRoutingPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('routing.settings.title'));
  const can = useCan();
  const [editing, setEditing] = useState<RoutingRule | null | undefined>(undefined);
  if (!can('routing:manage')) return <EmptyState title={t('errors.forbidden')} />;
  return (
    <div className="hk-page">
      <PageHeader
        title={t('routing.settings.title')}
        subtitle={t('routing.settings.subtitle')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing(null)}
            data-testid="routing-rule-new"
          >
            {t('routing.settings.create')}
          </Button>
        }
      />
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Card size="small" title={t('routing.settings.rules')}>
          <RoutingRulesTable onEdit={setEditing} onCreate={() => setEditing(null)} />
        </Card>
        <Card size="small" title={t('routing.settings.agents')} extra={t('routing.settings.agentsHelp')}>
          <AgentProfilesTable />
        </Card>
        <Card size="small" title={t('routing.settings.inboxAccess')}>
          <InboxAccess />
        </Card>
        <Card size="small" title={t('routing.settings.log')}>
          <RoutingLogTable />
        </Card>
      </Space>
      <RoutingRuleDrawer open={editing !== undefined} rule={editing ?? null} onClose={() => setEditing(undefined)} />
    </div>
  );
}
