import { Alert, Button, Drawer, Space } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from './errors.tsx';

type Props = {
  open: boolean;
  title: ReactNode;
  size: number;
  submitLabel: ReactNode;
  submitTestId: string;
  isSubmitting: boolean;
  error: unknown;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
};

/** The drawer every create/edit form uses: cancel and submit in the footer, the server's error above the form. */
export function FormDrawer({
  open,
  title,
  size,
  submitLabel,
  submitTestId,
  isSubmitting,
  error,
  onSubmit,
  onClose,
  children,
}: Props) {
  const { t } = useTranslation();
  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={size}
      title={title}
      destroyOnHidden
      footer={
        <Space style={{ float: 'right' }}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={isSubmitting} onClick={onSubmit} data-testid={submitTestId}>
            {submitLabel}
          </Button>
        </Space>
      }
    >
      {error ? <Alert type="error" showIcon title={errorMessage(error, t)} style={{ marginBottom: 16 }} /> : null}
      {children}
    </Drawer>
  );
}
