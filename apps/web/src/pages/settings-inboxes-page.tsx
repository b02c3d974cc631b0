import { PlusOutlined } from '@ant-design/icons';
import { Button, Card } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { CreateInboxDrawer } from '../modules/inboxes/components/create-inbox-drawer.tsx';
import { InboxDetailDrawer } from '../modules/inboxes/components/inbox-detail-drawer.tsx';
import { InboxesTable } from '../modules/inboxes/components/inboxes-table.tsx';
import { useInboxes } from '../modules/inboxes/hooks/use-inboxes.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

export function SettingsInboxesPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('nav.inboxes'));
  const navigate = useNavigate();
  const { inboxId } = useParams();
  const can = useCan();
  const inboxes = useInboxes();
  const [isCreating, setCreating] = useState(false);
  /** What the admin saved with the inbox just created that the server never answers (WeChat's EncodingAESKey). */
  const [created, setCreated] = useState<{ inboxId: string; encodingAesKey?: string }>();
  const canManage = can('inboxes:manage');

  return (
    <div className="hk-page">
      <PageHeader
        title={t('nav.inboxes')}
        subtitle={t('channelSetup.subtitle')}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="inbox-create">
              {t('channelSetup.add')}
            </Button>
          )
        }
      />
      <Card variant="borderless" className="hk-card">
        {inboxes.isError ? (
          <ErrorState error={inboxes.error} onRetry={() => void inboxes.refetch()} />
        ) : (
          <InboxesTable
            inboxes={inboxes.data ?? []}
            isLoading={inboxes.isPending}
            onOpen={(id) => navigate(`/settings/inboxes/${id}`)}
            emptyText={
              <EmptyState
                title={t('inboxes.emptyTitle')}
                description={t('inboxes.emptyDescription')}
                action={
                  canManage && (
                    <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                      {t('channelSetup.add')}
                    </Button>
                  )
                }
              />
            }
          />
        )}
      </Card>
      <CreateInboxDrawer
        open={isCreating}
        onClose={() => setCreating(false)}
        onCreated={(inbox, saved) => {
          setCreating(false);
          setCreated({ inboxId: inbox.id, ...saved });
          navigate(`/settings/inboxes/${inbox.id}`);
        }}
      />
      <InboxDetailDrawer
        inboxId={inboxId}
        canManage={canManage}
        newAesKey={created && created.inboxId === inboxId ? created.encodingAesKey : undefined}
        onClose={() => {
          setCreated(undefined);
          navigate('/settings/inboxes');
        }}
      />
    </div>
  );
}
