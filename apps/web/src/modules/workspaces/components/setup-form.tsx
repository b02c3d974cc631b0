import { Alert, Button, Divider, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { defaultTimezone } from '../../../ui/time.ts';
import { NewPasswordFields } from '../../identity/components/new-password-fields.tsx';
import type { SetupInput } from '../api/setup-api.ts';
import { useSetupWorkspace } from '../hooks/use-setup.ts';
import { TimezoneSelect } from './timezone-select.tsx';

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
            email: values.email.trim(),
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
      <Form.Item
        name="workspaceName"
        label={t('setup.workspaceName')}
        rules={[{ required: true, whitespace: true, message: t('setup.workspaceNameRequired') }, { max: 100 }]}
      >
        <Input placeholder={t('setup.workspaceNamePlaceholder')} autoFocus data-testid="setup-workspace-name" />
      </Form.Item>
      <Form.Item
        name="timezone"
        label={t('setup.timezone')}
        extra={t('setup.timezoneHelp')}
        rules={[{ required: true }]}
      >
        <TimezoneSelect />
      </Form.Item>
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
      <Form.Item
        name="email"
        label={t('login.email')}
        rules={[
          { required: true, message: t('login.emailRequired') },
          { type: 'email', message: t('login.emailInvalid') },
        ]}
      >
        <Input autoComplete="username" placeholder="name@shop.com" data-testid="setup-email" />
      </Form.Item>
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
