import type { Inbox } from '@huike/contracts';
import { Alert, App, Button, Descriptions, Drawer, Form, Skeleton, Space, Tabs, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { CodeBlock } from '../../../ui/code-block.tsx';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import { BusinessHoursSettings } from '../../business-hours/components/business-hours-settings.tsx';
import { useInbox, useUpdateInbox } from '../hooks/use-inboxes.ts';
import { apiMessageExample, embedSnippet, identitySigningExample } from '../snippets.ts';
import { ChannelTypeTag } from './channel-type-tag.tsx';
import { InboxSettingsFields } from './inbox-settings-fields.tsx';
import { SecretField } from './secret-field.tsx';

type Props = { inboxId: string | undefined; canManage: boolean; onClose: () => void };

function ConnectTab({ inbox }: { inbox: Inbox }) {
  const { t } = useTranslation();
  return (
    <div className="hk-stack">
      {inbox.channelType === 'website' ? (
        <section>
          <Typography.Title level={5}>{t('inboxes.embedTitle')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('inboxes.embedHelp')}</Typography.Paragraph>
          <CodeBlock code={embedSnippet(inbox)} testId="embed-snippet" />
        </section>
      ) : (
        <section>
          <Typography.Title level={5}>{t('inboxes.apiTitle')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('inboxes.apiExampleHelp')}</Typography.Paragraph>
          <CodeBlock code={apiMessageExample(inbox)} testId="api-example" />
        </section>
      )}
      <Descriptions column={1} size="small" bordered className="hk-descriptions">
        <Descriptions.Item label={t('inboxes.token')}>
          <Space wrap>
            <code className="hk-mono" data-testid="inbox-token">
              {inbox.token}
            </code>
            <CopyButton size="small" text={inbox.token} />
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('inboxes.secret')}>
          {inbox.secret ? (
            <SecretField secret={inbox.secret} />
          ) : (
            <span className="hk-muted">{t('inboxes.secretHidden')}</span>
          )}
        </Descriptions.Item>
      </Descriptions>
      <Alert
        type="warning"
        showIcon
        title={t('inboxes.secretTitle')}
        description={
          <div>
            <p>{t('inboxes.secretExplain')}</p>
            <p>
              <code>identifierHash = HMAC-SHA256(secret, userId)</code>
            </p>
            <p>{t('inboxes.secretKeep')}</p>
          </div>
        }
      />
      <section>
        <Typography.Title level={5}>{t('inboxes.signingTitle')}</Typography.Title>
        <CodeBlock code={identitySigningExample()} />
      </section>
    </div>
  );
}

function SettingsTab({ inbox, canManage }: { inbox: Inbox; canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; color: string; greeting: string }>();
  const update = useUpdateInbox();
  useEffect(() => {
    form.setFieldsValue({ name: inbox.name, color: inbox.settings.color, greeting: inbox.settings.greeting });
  }, [inbox, form]);
  return (
    <Form
      form={form}
      layout="vertical"
      disabled={!canManage}
      onFinish={(values) =>
        update.mutate(
          {
            id: inbox.id,
            input: { name: values.name.trim(), settings: { color: values.color, greeting: values.greeting ?? '' } },
          },
          {
            onSuccess: () => void message.success(t('common.saved')),
            onError: (error) => void message.error(errorMessage(error, t)),
          },
        )
      }
    >
      <InboxSettingsFields />
      <Form.Item label={t('inboxes.type')}>
        <ChannelTypeTag type={inbox.channelType} />
        <span className="hk-muted">{t('inboxes.typeFixed')}</span>
      </Form.Item>
      {canManage && (
        <Button type="primary" htmlType="submit" loading={update.isPending} data-testid="inbox-save">
          {t('common.save')}
        </Button>
      )}
    </Form>
  );
}

/** One inbox: how to connect it (snippet, token, secret) and its settings. */
export function InboxDetailDrawer({ inboxId, canManage, onClose }: Props) {
  const { t } = useTranslation();
  const inbox = useInbox(inboxId);
  return (
    <Drawer
      open={Boolean(inboxId)}
      onClose={onClose}
      size={640}
      destroyOnHidden
      title={
        inbox.data ? (
          <Space>
            <span className="hk-color-dot" style={{ background: inbox.data.settings.color }} />
            {inbox.data.name}
            <ChannelTypeTag type={inbox.data.channelType} />
          </Space>
        ) : (
          t('inboxes.detailTitle')
        )
      }
      data-testid="inbox-detail"
    >
      {inbox.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : inbox.isError ? (
        <Alert type="error" showIcon title={errorMessage(inbox.error, t)} />
      ) : (
        <>
          <Tabs
            items={[
              { key: 'connect', label: t('inboxes.tabConnect'), children: <ConnectTab inbox={inbox.data} /> },
              {
                key: 'settings',
                label: t('inboxes.tabSettings'),
                children: <SettingsTab inbox={inbox.data} canManage={canManage} />,
              },
              {
                key: 'hours',
                label: t('businessHours.tab'),
                children: <BusinessHoursSettings inbox={inbox.data} canManage={canManage} />,
              },
            ]}
          />
          <div className="hk-muted hk-small">
            {t('inboxes.createdAt', { time: formatDateTime(inbox.data.createdAt) })}
          </div>
        </>
      )}
    </Drawer>
  );
}
