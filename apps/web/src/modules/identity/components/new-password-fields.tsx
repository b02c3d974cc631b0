import { password } from '@huike/contracts';
import { Form, type GetProps, Input, Space } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type Props = {
  /** The form field of the password ('newPassword' unless the request body names it otherwise). */
  name?: string;
  label?: ReactNode;
  extra?: ReactNode;
  testId: string;
  /** Ask for the password twice: the confirmation is the field `confirmPassword` (leave it out of the request). */
  confirm?: { label?: ReactNode; testId: string };
  autoFocus?: boolean;
  hasFeedback?: boolean;
  /** Show or hide the typed password from outside (a generated one is shown). */
  visibilityToggle?: GetProps<typeof Input.Password>['visibilityToggle'];
  /** Buttons beside the input (生成, 复制). */
  addon?: ReactNode;
};

/**
 * A new password as every form asks for it (setup, a new member, changing one's own, resetting a member's): the
 * contract's length rules and one set of messages; with `confirm`, typed twice and compared.
 */
export function NewPasswordFields({
  name = 'newPassword',
  label,
  extra,
  testId,
  confirm,
  autoFocus,
  hasFeedback,
  visibilityToggle,
  addon,
}: Props) {
  const { t } = useTranslation();
  const labelText = label ?? t('password.new');
  // The lengths the API checks (`password` in packages/contracts).
  const min = password.minLength ?? 8;
  const max = password.maxLength ?? 200;
  const rules = [
    { required: true, message: t('password.required') },
    { min, message: t('password.min', { min }) },
    { max, message: t('password.max', { max }) },
  ];
  const input = (
    <Input.Password
      autoComplete="new-password"
      autoFocus={autoFocus}
      visibilityToggle={visibilityToggle}
      data-testid={testId}
    />
  );

  return (
    <>
      {addon ? (
        <Form.Item label={labelText} extra={extra} required>
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name={name} noStyle rules={rules}>
              {input}
            </Form.Item>
            {addon}
          </Space.Compact>
        </Form.Item>
      ) : (
        <Form.Item name={name} label={labelText} extra={extra} rules={rules} hasFeedback={hasFeedback}>
          {input}
        </Form.Item>
      )}
      {confirm && (
        <Form.Item
          name="confirmPassword"
          label={confirm.label ?? t('password.confirm')}
          dependencies={[name]}
          hasFeedback={hasFeedback}
          rules={[
            { required: true, message: t('password.confirmRequired') },
            ({ getFieldValue }) => ({
              validator: (_rule, value) =>
                !value || getFieldValue(name) === value
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid={confirm.testId} />
        </Form.Item>
      )}
    </>
  );
}
