import { Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { TimezoneSelect } from './timezone-select.tsx';

/**
 * The workspace's name and time zone, for 设置 → 工作区 and the first-run setup form. `firstRun`: the setup
 * body names the field `workspaceName`, and a new shop gets an example name instead of where the name shows.
 */
export function WorkspaceFields({ firstRun = false }: { firstRun?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item
        name={firstRun ? 'workspaceName' : 'name'}
        label={t('workspaceSettings.name')}
        extra={firstRun ? undefined : t('workspaceSettings.nameHelp')}
        rules={[{ required: true, whitespace: true, message: t('workspaceSettings.nameRequired') }, { max: 100 }]}
      >
        <Input
          placeholder={firstRun ? t('workspaceSettings.namePlaceholder') : undefined}
          autoFocus={firstRun}
          data-testid={firstRun ? 'setup-workspace-name' : 'workspace-name'}
        />
      </Form.Item>
      <Form.Item
        name="timezone"
        label={t('workspaceSettings.timezone')}
        extra={firstRun ? t('workspaceSettings.timezoneHelpFirstRun') : t('workspaceSettings.timezoneHelp')}
        rules={[{ required: true }]}
      >
        <TimezoneSelect />
      </Form.Item>
    </>
  );
}
