import type { User } from '@huike/contracts';
import { Alert, App, Button, type ButtonProps, Form, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { useResetPassword } from '../hooks/use-users.ts';
import { NewPasswordFields } from './new-password-fields.tsx';

// No 0/O, 1/l/I: the password is read out or typed by someone else.
const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function generatePassword(length = 12): string {
  const bytes = crypto.getRandomValues(new Uint32Array(length));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** 重置密码 of a member (owners and admins): a new password, typed or generated, to hand over privately. */
export function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ newPassword: string }>();
  const reset = useResetPassword();
  const [isVisible, setVisible] = useState(false);
  const newPassword = Form.useWatch('newPassword', form) ?? '';

  const close = () => {
    reset.reset();
    setVisible(false);
    onClose();
  };

  const submit = ({ newPassword: password }: { newPassword: string }) => {
    if (!user) return;
    reset.mutate(
      { id: user.id, newPassword: password },
      {
        onSuccess: () => {
          void message.success(t('password.resetDone', { name: user.name }));
          close();
        },
      },
    );
  };

  return (
    <Modal
      open={user !== null}
      title={user && t('password.resetTitle', { name: user.name })}
      okText={t('password.resetOk')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={close}
      confirmLoading={reset.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'reset-password-submit' } as ButtonProps}
    >
      {user && (
        <>
          <Typography.Paragraph type="secondary">{t('password.resetIntro', { name: user.name })}</Typography.Paragraph>
          {reset.isError && (
            <Alert type="error" showIcon title={errorMessage(reset.error, t)} style={{ marginBottom: 16 }} />
          )}
          <Form form={form} layout="vertical" requiredMark={false} onFinish={submit}>
            <NewPasswordFields
              testId="reset-password-input"
              autoFocus
              visibilityToggle={{ visible: isVisible, onVisibleChange: setVisible }}
              addon={
                <>
                  <Button
                    title={t('password.generateHelp')}
                    onClick={() => {
                      form.setFieldsValue({ newPassword: generatePassword() });
                      setVisible(true);
                      void form.validateFields(['newPassword']);
                    }}
                    data-testid="reset-password-generate"
                  >
                    {t('password.generate')}
                  </Button>
                  <CopyButton text={newPassword} disabled={newPassword.length === 0} />
                </>
              }
            />
          </Form>
          <Alert type="info" showIcon title={t('password.resetHandOver', { name: user.name })} />
        </>
      )}
    </Modal>
  );
}
