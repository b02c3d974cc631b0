import { Alert, Button, Divider, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { defaultTimezone } from '../../../ui/time.ts';
import { EmailField, normalizeEmail } from '../../identity/components/email-field.tsx';
import { NewPasswordFields } from '../../identity/components/new-password-fields.tsx';
import type { SetupInput } from '../api/setup-api.ts';
import { useSetupWorkspace } from '../hooks/use-setup.ts';
import { WorkspaceFields } from './workspace-fields.tsx';

type Values = SetupInput & { confirmPassword: string };

export function SetupForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const setup = useSetupWorkspace();
  return (
    <Form<Values>
      layout="vertical"
      requiredMark={false}
      initialValues={{ timezone: defaultTimezone }}
      onFinish={({ confirmPassword: _confirm, ...values }) =>
        setup.mutate(
          {
            ...values,
            workspaceName: values.workspaceName.trim(),
            name: values.name.trim(),
            email: normalizeEmail(values.email),
          },
          { onSuccess: onDone },
        )
      }
    >
      {setup.isError && (
        <Alert type="error" showIcon title={errorMessage(setup.error, t)} style={{ marginBottom: 16 }} />
      )}
      <Divider titlePlacement="start" plain>
        {t('setup.workspaceSection')}
      </Divider>
      <WorkspaceFields firstRun />
      <Divider titlePlacement="start" plain>
        {t('setup.ownerSection')}
      </Divider>
      <Form.Item
        name="name"
        label={t('setup.ownerName')}
        rules={[{ required: true, whitespace: true, message: t('setup.ownerNameRequired') }, { max: 100 }]}
      >
        <Input autoComplete="name" data-testid="setup-name" />
      </Form.Item>
      <EmailField testId="setup-email" />
      <NewPasswordFields
        name="password"
        label={t('login.password')}
        testId="setup-password"
        confirm={{ label: t('setup.confirmPassword'), testId: 'setup-confirm-password' }}
        hasFeedback
      />
      <Button type="primary" htmlType="submit" block size="large" loading={setup.isPending} data-testid="setup-submit">
        {t('setup.submit')}
      </Button>
    </Form>
  );
}
