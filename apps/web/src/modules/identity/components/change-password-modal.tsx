import { Alert, App, type ButtonProps, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/client.ts';
import { errorMessage } from '../../../ui/errors.tsx';
import { useChangePassword } from '../hooks/use-session.ts';
import { NewPasswordFields } from './new-password-fields.tsx';

type Values = { currentPassword: string; newPassword: string; confirmPassword: string };

/** 修改密码 from the user menu: the current password, then the new one twice. */
export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const change = useChangePassword();
  // A wrong current password belongs under its field; anything else above the form.
  const isWrongCurrent = change.error instanceof ApiError && change.error.code === 'auth.current_password_invalid';

  const close = () => {
    change.reset();
    onClose();
  };

  const submit = ({ currentPassword, newPassword }: Values) =>
    change.mutate(
      { currentPassword, newPassword },
      {
        onSuccess: () => {
          void message.success(t('password.changed'));
          close();
        },
        onError: (error) => {
          if (error instanceof ApiError && error.code === 'auth.current_password_invalid') {
            form.setFields([{ name: 'currentPassword', errors: [t('password.currentWrong')] }]);
          }
        },
      },
    );

  return (
    <Modal
      open={open}
      title={t('password.change')}
      okText={t('password.change')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={close}
      confirmLoading={change.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'change-password-submit' } as ButtonProps}
    >
      {change.isError && !isWrongCurrent && (
        <Alert type="error" showIcon title={errorMessage(change.error, t)} style={{ marginBottom: 16 }} />
      )}
      <Form<Values> form={form} layout="vertical" requiredMark={false} onFinish={submit}>
        <Form.Item
          name="currentPassword"
          label={t('password.current')}
          rules={[{ required: true, message: t('password.currentRequired') }]}
        >
          <Input.Password autoComplete="current-password" autoFocus data-testid="current-password" />
        </Form.Item>
        <NewPasswordFields
          extra={t('password.changeHelp')}
          testId="new-password"
          confirm={{ testId: 'confirm-password' }}
        />
      </Form>
    </Modal>
  );
}
