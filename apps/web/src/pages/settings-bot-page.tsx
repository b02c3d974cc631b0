import { Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { BotSettingsCard } from '../modules/knowledge/components/bot-settings-card.tsx';
import { useBotSettings } from '../modules/knowledge/hooks/use-knowledge.ts';
import { ErrorState } from '../ui/error-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 设置 → 机器人: the FAQ bot per inbox, with its resolution and hand-off rates. */
export function SettingsBotPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('knowledge.botTitle'));
  const can = useCan();
  const settings = useBotSettings();
  return (
    <div className="hk-page">
      <PageHeader title={t('knowledge.botTitle')} subtitle={t('knowledge.botSubtitle')} />
      {settings.isPending ? (
        <Skeleton active />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        settings.data.map((item) => (
          <BotSettingsCard key={item.inboxId} item={item} canManage={can('knowledge:manage')} />
        ))
      )}
    </div>
  );
}
