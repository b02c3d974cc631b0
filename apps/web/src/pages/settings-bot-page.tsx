import { Button, Card, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { BotSettingsCard } from '../modules/knowledge/components/bot-settings-card.tsx';
import { useBotSettings } from '../modules/knowledge/hooks/use-knowledge.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 设置 → 机器人: the FAQ bot per inbox, with its resolution and hand-off rates. */
export function SettingsBotPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('knowledge.botTitle'));
  const can = useCan();
  const navigate = useNavigate();
  const settings = useBotSettings();
  return (
    <div className="hk-page">
      <PageHeader title={t('knowledge.botTitle')} subtitle={t('knowledge.botSubtitle')} />
      {settings.isPending ? (
        <Skeleton active />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : settings.data.length === 0 ? (
        // A fresh install has no inbox yet: the bot has nowhere to answer until a channel is added.
        <Card variant="borderless" className="hk-card" data-testid="bot-no-inbox">
          <EmptyState
            title={t('knowledge.botNoInboxTitle')}
            description={t('knowledge.botNoInboxDescription')}
            action={
              can('inboxes:manage') ? (
                <Button type="primary" onClick={() => navigate('/settings/inboxes')}>
                  {t('knowledge.botNoInboxAction')}
                </Button>
              ) : undefined
            }
          />
        </Card>
      ) : (
        settings.data.map((item) => (
          <BotSettingsCard key={item.inboxId} item={item} canManage={can('knowledge:manage')} />
        ))
      )}
    </div>
  );
}
