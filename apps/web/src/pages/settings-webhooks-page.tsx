import { PlusOutlined, SendOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, type ButtonProps, Card, Result, Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import type { WebhookDelivery, WebhookEndpoint } from '../modules/webhooks/api/webhooks-api.ts';
import { DeadLetterList } from '../modules/webhooks/components/dead-letter-list.tsx';
import { DeliveriesDrawer } from '../modules/webhooks/components/deliveries-drawer.tsx';
import { WebhookDrawer } from '../modules/webhooks/components/webhook-drawer.tsx';
import { WebhookSecretModal } from '../modules/webhooks/components/webhook-secret-modal.tsx';
import { WebhooksTable } from '../modules/webhooks/components/webhooks-table.tsx';
import {
  useDeleteWebhook,
  useTestWebhook,
  useUpdateWebhook,
  useWebhooks,
} from '../modules/webhooks/hooks/use-webhooks.ts';
import { deliveryFailureText } from '../ui/delivery-reasons.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

type TestResult = { endpointId: string; delivery?: WebhookDelivery; error?: unknown };

/** What a test delivery's outcome says, and how loud. */
function useTestSummary() {
  const { t } = useTranslation();
  return (result: TestResult): { type: 'success' | 'info' | 'error'; text: string } => {
    if (result.error)
      return { type: 'error', text: t('webhooks.testFailed', { error: errorMessage(result.error, t) }) };
    const delivery = result.delivery;
    if (!delivery) return { type: 'info', text: t('webhooks.testQueued') };
    if (delivery.status === 'succeeded') {
      return {
        type: 'success',
        text: t('webhooks.testSucceeded', { status: delivery.lastStatusCode ?? 200, ms: delivery.lastDurationMs ?? 0 }),
      };
    }
    if (delivery.attempts === 0) return { type: 'info', text: t('webhooks.testQueued') };
    const failure = deliveryFailureText({ reason: delivery.lastReason, error: delivery.lastError }, t);
    if (failure) return { type: 'error', text: t('webhooks.testFailed', { error: failure }) };
    if (delivery.lastStatusCode !== null) {
      return { type: 'error', text: t('webhooks.testFailedStatus', { status: delivery.lastStatusCode }) };
    }
    return { type: 'info', text: t('webhooks.testQueued') };
  };
}

/** 设置 → Webhooks: endpoints with their delivery logs, and the failed deliveries across all of them. */
export function SettingsWebhooksPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('webhooks.title'));
  const { message, modal } = App.useApp();
  const can = useCan();
  const canManage = can('webhooks:manage');
  const endpoints = useWebhooks(canManage);
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const test = useTestWebhook();
  const summarize = useTestSummary();
  const [tab, setTab] = useState<'endpoints' | 'dead'>('endpoints');
  const [drawer, setDrawer] = useState<{ endpoint?: WebhookEndpoint } | null>(null);
  const [secretFor, setSecretFor] = useState<{ id: string; isNew: boolean } | null>(null);
  const [deliveriesFor, setDeliveriesFor] = useState<string | null>(null);
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [togglingId, setTogglingId] = useState<string | null>(null);

  if (!canManage) {
    return (
      <div className="hk-page">
        <Result status="403" title={t('webhooks.title')} subTitle={t('errors.forbidden')} />
      </div>
    );
  }

  const list = endpoints.data ?? [];
  const byId = (id: string | null | undefined) => list.find((endpoint) => endpoint.id === id) ?? null;
  const failingTotal = list.reduce((sum, endpoint) => sum + endpoint.failing, 0);

  const runTest = (endpoint: WebhookEndpoint) => {
    setTestResult(null);
    test.mutate(endpoint.id, {
      onSuccess: (delivery) => setTestResult({ endpointId: endpoint.id, delivery }),
      onError: (error) => setTestResult({ endpointId: endpoint.id, error }),
    });
  };

  const toggle = (endpoint: WebhookEndpoint, enabled: boolean) => {
    setTogglingId(endpoint.id);
    update.mutate(
      { id: endpoint.id, input: { enabled } },
      {
        onSuccess: () => void message.success(enabled ? t('webhooks.enabledDone') : t('webhooks.disabledDone')),
        onError: (error) => void message.error(errorMessage(error, t)),
        onSettled: () => setTogglingId(null),
      },
    );
  };

  const confirmDelete = (endpoint: WebhookEndpoint) =>
    modal.confirm({
      title: t('webhooks.deleteConfirm'),
      content: `${endpoint.url} — ${t('webhooks.deleteConfirmDescription')}`,
      okText: t('webhooks.delete'),
      okButtonProps: { danger: true, 'data-testid': 'webhook-delete-ok' } as ButtonProps,
      onOk: () =>
        remove
          .mutateAsync(endpoint.id)
          .then(() => void message.success(t('webhooks.deletedDone')))
          .catch((error: unknown) => void message.error(errorMessage(error, t))),
    });

  const testSummary = testResult ? summarize(testResult) : null;
  const testedEndpoint = byId(testResult?.endpointId);

  return (
    <div className="hk-page">
      <PageHeader
        title={t('webhooks.title')}
        subtitle={t('webhooks.subtitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({})} data-testid="webhook-create">
            {t('webhooks.create')}
          </Button>
        }
      />
      <Card variant="borderless" className="hk-card">
        <Tabs
          activeKey={tab}
          onChange={(key) => setTab(key as 'endpoints' | 'dead')}
          items={[
            {
              key: 'endpoints',
              label: <span data-testid="webhooks-tab-endpoints">{t('webhooks.tabEndpoints')}</span>,
              children: endpoints.isError ? (
                <ErrorState error={endpoints.error} onRetry={() => void endpoints.refetch()} />
              ) : (
                <div className="hk-stack">
                  {test.isPending && <Alert type="info" showIcon title={t('webhooks.testSending')} />}
                  {testSummary && testedEndpoint && (
                    <Alert
                      type={testSummary.type}
                      showIcon
                      icon={<SendOutlined />}
                      closable={{ onClose: () => setTestResult(null) }}
                      title={testSummary.text}
                      description={<code className="hk-mono">{testedEndpoint.url}</code>}
                      action={
                        <Button size="small" onClick={() => setDeliveriesFor(testedEndpoint.id)}>
                          {t('webhooks.deliveries')}
                        </Button>
                      }
                      data-testid="webhook-test-result"
                      data-type={testSummary.type}
                    />
                  )}
                  <WebhooksTable
                    endpoints={list}
                    isLoading={endpoints.isPending}
                    testingId={test.isPending ? (test.variables ?? null) : null}
                    togglingId={togglingId}
                    onTest={runTest}
                    onToggle={toggle}
                    onDeliveries={(endpoint) => setDeliveriesFor(endpoint.id)}
                    onEdit={(endpoint) => setDrawer({ endpoint })}
                    onSecret={(endpoint) => setSecretFor({ id: endpoint.id, isNew: false })}
                    onDelete={confirmDelete}
                    onFailing={() => setTab('dead')}
                    emptyText={
                      <EmptyState
                        title={t('webhooks.emptyTitle')}
                        description={t('webhooks.emptyDescription')}
                        action={
                          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({})}>
                            {t('webhooks.create')}
                          </Button>
                        }
                      />
                    }
                  />
                </div>
              ),
            },
            {
              key: 'dead',
              label: (
                <span data-testid="webhooks-tab-dead">
                  {t('webhooks.tabDead')}{' '}
                  {failingTotal > 0 && <Badge count={failingTotal} overflowCount={999} size="small" />}
                </span>
              ),
              children: <DeadLetterList endpoints={list} />,
            },
          ]}
        />
      </Card>
      <WebhookDrawer
        open={Boolean(drawer)}
        endpoint={drawer?.endpoint}
        onClose={() => setDrawer(null)}
        onSaved={(endpoint, isNew) => {
          setDrawer(null);
          if (isNew) {
            void message.success(t('webhooks.createdDone'));
            setSecretFor({ id: endpoint.id, isNew: true });
          } else {
            void message.success(t('webhooks.saved'));
          }
        }}
      />
      <WebhookSecretModal
        endpoint={byId(secretFor?.id)}
        isNew={secretFor?.isNew ?? false}
        onClose={() => setSecretFor(null)}
      />
      <DeliveriesDrawer
        endpoint={byId(deliveriesFor)}
        onClose={() => setDeliveriesFor(null)}
        extra={
          deliveriesFor ? (
            <Button
              icon={<SendOutlined />}
              loading={test.isPending}
              onClick={() => {
                const endpoint = byId(deliveriesFor);
                if (endpoint) runTest(endpoint);
              }}
              data-testid="webhook-deliveries-test"
            >
              {t('webhooks.test')}
            </Button>
          ) : null
        }
      />
    </div>
  );
}
