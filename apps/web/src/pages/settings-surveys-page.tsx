import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { NpsSendPanel } from '../modules/surveys/components/nps-send-panel.tsx';
import { SurveyResponses } from '../modules/surveys/components/survey-responses.tsx';
import { SurveySettingsForm } from '../modules/surveys/components/survey-settings-form.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

type Tab = 'responses' | 'nps' | 'settings';

/** 设置 → 满意度: responses with the CSAT/NPS figures, NPS sending and the survey settings. */
export function SettingsSurveysPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('surveys.title'));
  const can = useCan();
  const canManage = can('surveys:manage');
  const canReadReports = can('reports:read');
  const [params, setParams] = useSearchParams();
  const wanted = params.get('tab') as Tab | null;
  const tabs = [
    ...(canReadReports
      ? [{ key: 'responses', label: t('surveys.tabs.responses'), children: <SurveyResponses /> }]
      : []),
    ...(canManage ? [{ key: 'nps', label: t('surveys.tabs.nps'), children: <NpsSendPanel /> }] : []),
    {
      key: 'settings',
      label: t('surveys.tabs.settings'),
      children: <SurveySettingsForm canManage={canManage} />,
    },
  ];
  const active = tabs.some((tab) => tab.key === wanted) ? wanted! : tabs[0]!.key;

  return (
    <div className="hk-page">
      <PageHeader title={t('surveys.title')} subtitle={t('surveys.subtitle')} />
      <Tabs
        activeKey={active}
        onChange={(key) => setParams(key === 'responses' ? {} : { tab: key }, { replace: true })}
        items={tabs}
        destroyOnHidden
      />
    </div>
  );
}
