import type { Customer } from '@huike/contracts';
import { Alert, App, Button, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useAnonymizeCustomer } from '../hooks/use-customers.ts';

type ErasureForm = { reason: string; confirm: string };

/** 危险操作: 注销并删除个人信息, behind a confirmation that names what goes, what stays and that it is final. */
export function CustomerErasure({ customer, displayName }: { customer: Customer; displayName: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div data-testid="customer-erasure">
      <Typography.Paragraph type="secondary">{t('customerErasure.help')}</Typography.Paragraph>
      <Button danger block onClick={() => setOpen(true)} data-testid="customer-erase-open">
        {t('customerErasure.action')}
      </Button>
      {open && <ErasureModal customer={customer} displayName={displayName} onClose={() => setOpen(false)} />}
    </div>
  );
}

function ErasureModal({
  customer,
  displayName,
  onClose,
}: {
  customer: Customer;
  displayName: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ErasureForm>();
  const anonymize = useAnonymizeCustomer();
  const confirmWord = t('customerErasure.confirmWord');
  const typed = Form.useWatch('confirm', form)?.trim();
  const confirmed = typed === confirmWord || (Boolean(customer.name) && typed === customer.name);

  const submit = ({ reason }: ErasureForm) =>
    anonymize.mutate(
      { id: customer.id, reason },
      {
        onSuccess: (result) => {
          void message.success(t(result.alreadyAnonymized ? 'customerErasure.alreadyDone' : 'customerErasure.done'));
          onClose();
        },
        onError: (error) => void message.error(errorMessage(error, t)),
      },
    );

  return (
    <Modal
      open
      title={t('customerErasure.modalTitle', { name: displayName })}
      okText={t('customerErasure.submit')}
      okButtonProps={{ danger: true, disabled: !confirmed, id: 'customer-erase-submit' }}
      confirmLoading={anonymize.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Alert type="error" showIcon message={t('customerErasure.irreversible')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph>{t('customerErasure.erased')}</Typography.Paragraph>
      <Typography.Paragraph>{t('customerErasure.kept')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item
          name="reason"
          label={t('customerErasure.reason')}
          rules={[{ required: true, whitespace: true, min: 2, message: t('customerErasure.reasonRequired') }]}
        >
          <Input.TextArea
            rows={2}
            maxLength={500}
            placeholder={t('customerErasure.reasonPlaceholder')}
            data-testid="customer-erase-reason"
          />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('customerErasure.confirm', { name: customer.name ?? confirmWord })}
          validateStatus={typed && !confirmed ? 'error' : undefined}
          help={typed && !confirmed ? t('customerErasure.confirmMismatch') : undefined}
        >
          <Input autoComplete="off" data-testid="customer-erase-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
