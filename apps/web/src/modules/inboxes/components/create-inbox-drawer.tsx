import type { Inbox } from '@huike/contracts';
import { Alert, App, Form, Radio } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import type { ChannelType } from '../api/inboxes-api.ts';
import { useCreateInbox } from '../hooks/use-inboxes.ts';
import { InboxSettingsFields } from './inbox-settings-fields.tsx';

type Values = { name: string; channelType: ChannelType; color: string; greeting: string };

type Props = { open: boolean; onClose: () => void; onCreated: (inbox: Inbox) => void };

/** 新建渠道. */
export function CreateInboxDrawer({ open, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateInbox();

  useEffect(() => {
    if (!open) return;
    create.reset();
    form.resetFields();
  }, [open, form, create.reset]);

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={460}
      title={t('inboxes.createTitle')}
      submitLabel={t('inboxes.create')}
      submitTestId="inbox-submit"
      isSubmitting={create.isPending}
      error={create.isError ? create.error : undefined}
      onSubmit={() => form.submit()}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ channelType: 'website', color: '#1677ff', greeting: t('inboxes.defaultGreeting') }}
        onFinish={(values) =>
          create.mutate(
            {
              name: values.name.trim(),
              channelType: values.channelType,
              settings: { color: values.color, greeting: values.greeting ?? '' },
            },
            {
              onSuccess: (inbox) => {
                void message.success(t('inboxes.createdDone', { name: inbox.name }));
                onCreated(inbox);
              },
            },
          )
        }
      >
        <Form.Item name="channelType" label={t('inboxes.type')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            buttonStyle="solid"
            options={[
              { value: 'website', label: t('channels.website') },
              { value: 'api', label: t('channels.api') },
            ]}
          />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(previous, next) => previous.channelType !== next.channelType}>
          {({ getFieldValue }) => (
            <Alert
              type="info"
              title={getFieldValue('channelType') === 'api' ? t('inboxes.apiHelp') : t('inboxes.websiteHelp')}
              style={{ marginBottom: 16 }}
            />
          )}
        </Form.Item>
        <InboxSettingsFields />
      </Form>
    </FormDrawer>
  );
}
