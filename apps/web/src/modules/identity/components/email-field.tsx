import { Form, Input } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type Props = {
  testId: string;
  placeholder?: string;
  autoComplete?: string;
  autoFocus?: boolean;
  disabled?: boolean;
  prefix?: ReactNode;
};

/** 邮箱, the address a member signs in with (login, first-run setup, 添加成员); send it through `normalizeEmail`. */
export function EmailField({ testId, placeholder = 'name@shop.com', autoComplete = 'username', ...input }: Props) {
  const { t } = useTranslation();
  return (
    <Form.Item
      name="email"
      label={t('login.email')}
      rules={[
        { required: true, message: t('login.emailRequired') },
        { type: 'email', message: t('login.emailInvalid') },
      ]}
    >
      <Input autoComplete={autoComplete} placeholder={placeholder} data-testid={testId} {...input} />
    </Form.Item>
  );
}

export const normalizeEmail = (email: string) => email.trim();
