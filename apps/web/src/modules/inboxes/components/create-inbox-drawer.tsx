import { ArrowLeftOutlined } from '@ant-design/icons';
import type { Inbox } from '@huike/contracts';
import { Alert, App, Button, Drawer, Form, Input, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { applyServerFieldErrors } from '../../../ui/form-errors.ts';
import {
  addableChannels,
  type ChannelFormValues,
  type ChannelType,
  channelFieldAliases,
  newChannelValues,
  toChannelConfig,
  withoutNulls,
} from '../channel-config.ts';
import { useCreateInbox } from '../hooks/use-inboxes.ts';
import { ChannelConfigFields } from './channel-config-fields.tsx';
import { ChannelIcon } from './channel-type-tag.tsx';
import { InboxSettingsFields } from './inbox-settings-fields.tsx';

type Values = ChannelFormValues & { name: string; color: string; greeting: string };

type Props = {
  open: boolean;
  onClose: () => void;
  /** `encodingAesKey`: the WeChat key the admin saved (the server never answers it), for showing it once. */
  onCreated: (inbox: Inbox, saved: { encodingAesKey?: string }) => void;
};

const noSecretsStored = new Set<string>();

/** 「添加渠道」 step one: which channel, each with a one-line description. */
function ChannelChoice({ onChoose }: { onChoose: (type: ChannelType) => void }) {
  const { t } = useTranslation();
  return (
    <div className="hk-stack" data-testid="channel-choice">
      <Typography.Paragraph type="secondary">{t('channelSetup.chooseHelp')}</Typography.Paragraph>
      {addableChannels.map((type) => (
        <button
          key={type}
          type="button"
          onClick={() => onChoose(type)}
          data-testid={`channel-choice-${type}`}
          style={{
            display: 'flex',
            gap: 14,
            alignItems: 'flex-start',
            width: '100%',
            textAlign: 'left',
            padding: '14px 16px',
            border: '1px solid rgba(5, 5, 5, 0.1)',
            borderRadius: 8,
            background: 'transparent',
            cursor: 'pointer',
          }}
        >
          <span style={{ fontSize: 22, lineHeight: 1, color: '#1677ff', paddingTop: 2 }}>
            <ChannelIcon type={type} />
          </span>
          <span>
            <Typography.Text strong>{t(`channels.${type}`)}</Typography.Text>
            <br />
            <Typography.Text type="secondary">{t(`channelSetup.descriptions.${type}`)}</Typography.Text>
          </span>
        </button>
      ))}
    </div>
  );
}

/** 添加渠道: choose the channel, then fill in its name and connection settings. */
export function CreateInboxDrawer({ open, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateInbox();
  const [type, setType] = useState<ChannelType | null>(null);

  useEffect(() => {
    if (!open) return;
    create.reset();
    setType(null);
  }, [open, create.reset]);

  const choose = (chosen: ChannelType) => {
    create.reset();
    setType(chosen);
  };

  // Filled once the chosen channel's form has mounted (a form instance only takes values while connected).
  useEffect(() => {
    if (!type) return;
    form.resetFields();
    form.setFieldsValue({
      name: t(`channelSetup.defaultNames.${type}`),
      color: '#1677ff',
      greeting: t('inboxes.defaultGreeting'),
      ...newChannelValues(type),
    });
  }, [type, form, t]);

  const submit = (values: Values) => {
    if (!type) return;
    const channelConfig = withoutNulls(toChannelConfig(type, values));
    create.mutate(
      {
        name: values.name.trim(),
        channelType: type,
        settings: { color: values.color ?? '#1677ff', greeting: values.greeting ?? '' },
        channelConfig,
      },
      {
        onSuccess: (inbox) => {
          void message.success(t('channelSetup.createdDone', { name: inbox.name }));
          const { encodingAesKey } = channelConfig;
          onCreated(inbox, typeof encodingAesKey === 'string' ? { encodingAesKey } : {});
        },
        onError: (error) => applyServerFieldErrors(form, error, channelFieldAliases),
      },
    );
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={560}
      destroyOnHidden
      title={
        type ? (
          <Space>
            <ChannelIcon type={type} />
            {t('channelSetup.createTitleOf', { channel: t(`channels.${type}`) })}
          </Space>
        ) : (
          t('channelSetup.createTitle')
        )
      }
      data-testid="inbox-create-drawer"
      footer={
        <Space style={{ float: 'right' }}>
          {type && (
            <Button icon={<ArrowLeftOutlined />} onClick={() => setType(null)} data-testid="channel-choice-back">
              {t('channelSetup.back')}
            </Button>
          )}
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          {type && (
            <Button type="primary" loading={create.isPending} onClick={() => form.submit()} data-testid="inbox-submit">
              {t('channelSetup.create')}
            </Button>
          )}
        </Space>
      }
    >
      {!type ? (
        <ChannelChoice onChoose={choose} />
      ) : (
        <>
          {create.isError ? (
            <Alert
              type="error"
              showIcon
              title={errorMessage(create.error, t)}
              style={{ marginBottom: 16 }}
              data-testid="inbox-create-error"
            />
          ) : null}
          <Alert type="info" title={t(`channelSetup.help.${type}`)} style={{ marginBottom: 16 }} />
          <Form<Values> form={form} layout="vertical" onFinish={submit}>
            {type === 'website' ? (
              <InboxSettingsFields />
            ) : (
              <Form.Item
                name="name"
                label={t('inboxes.name')}
                rules={[{ required: true, whitespace: true, message: t('inboxes.nameRequired') }, { max: 100 }]}
              >
                <Input placeholder={t('inboxes.namePlaceholder')} data-testid="inbox-name" />
              </Form.Item>
            )}
            <ChannelConfigFields type={type} storedSecrets={noSecretsStored} />
          </Form>
        </>
      )}
    </Drawer>
  );
}
