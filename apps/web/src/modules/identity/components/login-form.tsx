import { LockOutlined, MailOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useLogin } from '../hooks/use-session.ts';
import { EmailField, normalizeEmail } from './email-field.tsx';

type Values = { email: string; password: string };

/** `notice`: why they are here (an admin disabled them); replaced by the error once they try to sign in. */
export function LoginForm({ onSignedIn, notice }: { onSignedIn: () => void; notice?: ReactNode }) {
  const { t } = useTranslation();
  const login = useLogin();
  const [form] = Form.useForm<Values>();
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      requiredMark={false}
      size="large"
      onValuesChange={() => {
        if (login.isError) login.reset();
      }}
      onFinish={(values) =>
        login.mutate({ email: normalizeEmail(values.email), password: values.password }, { onSuccess: onSignedIn })
      }
    >
      {!login.isError && notice}
      {login.isError && (
        <Alert
          type="error"
          showIcon
          title={errorMessage(login.error, t)}
          style={{ marginBottom: 16 }}
          data-testid="login-error"
        />
      )}
      <EmailField testId="login-email" prefix={<MailOutlined />} autoFocus />
      <Form.Item
        name="password"
        label={t('login.password')}
        rules={[{ required: true, message: t('login.passwordRequired') }]}
      >
        <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
        {t('login.submit')}
      </Button>
    </Form>
  );
}
