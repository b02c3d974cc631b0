import { Alert, App, Button, Card, Form } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, useCurrentSession } from '../modules/identity/hooks/use-session.ts';
import { WorkspaceFields } from '../modules/workspaces/components/workspace-fields.tsx';
import { useUpdateWorkspace } from '../modules/workspaces/hooks/use-setup.ts';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

type Values = { name: string; timezone: string };

/** 工作区: the shop's name (in every member's header) and the time zone all times and business hours use. */
export function SettingsWorkspacePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('workspaceSettings.title'));
  const { message } = App.useApp();
  const { workspace } = useCurrentSession();
  const canManage = useCan()('workspace:manage');
  const save = useUpdateWorkspace();
  const [form] = Form.useForm<Values>();
  const [isDirty, setDirty] = useState(false);

  useEffect(() => {
    form.setFieldsValue({ name: workspace.name, timezone: workspace.timezone });
    setDirty(false);
  }, [workspace.name, workspace.timezone, form]);

  const submit = ({ name, timezone }: Values) =>
    save.mutate(
      { name: name.trim(), timezone },
      { onSuccess: () => void message.success(t('workspaceSettings.saved')) },
    );

  return (
    <div className="hk-page">
      <PageHeader
        title={t('workspaceSettings.title')}
        subtitle={t('workspaceSettings.subtitle')}
        extra={
          canManage && (
            <Button
              type="primary"
              onClick={() => form.submit()}
              loading={save.isPending}
              disabled={!isDirty}
              data-testid="workspace-save"
            >
              {t('common.save')}
            </Button>
          )
        }
      />
      {!canManage && (
        <Alert type="info" showIcon title={t('workspaceSettings.readOnly')} style={{ marginBottom: 12 }} />
      )}
      {save.isError && <Alert type="error" showIcon title={errorMessage(save.error, t)} style={{ marginBottom: 12 }} />}
      <Card style={{ maxWidth: 640 }}>
        <Form<Values>
          form={form}
          layout="vertical"
          requiredMark={false}
          disabled={!canManage}
          onFinish={submit}
          onValuesChange={() => setDirty(true)}
        >
          <WorkspaceFields />
        </Form>
      </Card>
    </div>
  );
}
