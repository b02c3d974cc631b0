import { Alert, App, Button, Input, Modal, Popconfirm, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import type { WebhookEndpoint } from '../api/webhooks-api.ts';
import { useUpdateWebhook } from '../hooks/use-webhooks.ts';

type Props = {
  endpoint: WebhookEndpoint | null;
  /** Right after creating: says to copy it now. */
  isNew: boolean;
  onClose: () => void;
};

/** The endpoint's signing secret, with copy, how to verify, and 更换密钥. */
export function WebhookSecretModal({ endpoint, isNew, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const update = useUpdateWebhook();
  const secret = endpoint?.secret ?? null;
  return (
    <Modal
      open={Boolean(endpoint)}
      title={t('webhooks.secretTitle')}
      onCancel={onClose}
      destroyOnHidden
      width={560}
      footer={
        <Space>
          {endpoint && secret && !isNew && (
            <Popconfirm
              title={t('webhooks.rotateConfirm')}
              description={t('webhooks.rotateConfirmDescription')}
              okButtonProps={{ danger: true }}
              onConfirm={() =>
                update
                  .mutateAsync({ id: endpoint.id, input: { rotateSecret: true } })
                  .then(() => void message.success(t('webhooks.rotatedDone')))
                  .catch((error: unknown) => void message.error(errorMessage(error, t)))
              }
            >
              <Button danger loading={update.isPending} data-testid="webhook-rotate-secret">
                {t('webhooks.rotateSecret')}
              </Button>
            </Popconfirm>
          )}
          <Button type="primary" onClick={onClose} data-testid="webhook-secret-close">
            {t('webhooks.close')}
          </Button>
        </Space>
      }
    >
      <div className="hk-stack" data-testid="webhook-secret-modal">
        {isNew && <Alert type="warning" showIcon title={t('webhooks.secretOnce')} />}
        {secret ? (
          <Space.Compact style={{ width: '100%' }}>
            <Input readOnly value={secret} className="hk-mono" data-testid="webhook-secret" />
            <CopyButton text={secret} />
          </Space.Compact>
        ) : (
          <Typography.Text type="secondary">{t('webhooks.secretHidden')}</Typography.Text>
        )}
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          {t('webhooks.secretHelp')}
        </Typography.Paragraph>
      </div>
    </Modal>
  );
}
