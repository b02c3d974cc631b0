import type { ChannelType, CustomerChannels } from '@huike/contracts';
import { Alert, App, type ButtonProps, Form, Input, Modal, Select } from 'antd';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../../api/client.ts';
import { errorMessage } from '../../../ui/errors.tsx';
import { smsSegments } from '../../conversations/channel-meta.ts';
import { channelIconOf } from '../../conversations/components/channel-icon.tsx';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { useContactCustomer } from '../hooks/use-customer-channels.ts';

type Props = {
  customerId: string;
  customerName: string;
  channels: CustomerChannels | undefined;
  isOpen: boolean;
  onClose: () => void;
  /** Called with the conversation the message went into (the workbench opens it). */
  onSent: (conversationId: string) => void;
};

type Values = { inboxId: string; content: string };

/** Channels that can reach a customer who never wrote there: by their email address or phone number. */
const reachableByAddress = new Set<ChannelType>(['email', 'sms']);

type Option = { value: string; label: string; type: ChannelType; address: string | null; isLastUsed: boolean };

/**
 * 通过其他渠道联系: pick the channel (the one the customer used last is chosen for you), write, send. The server
 * continues their open conversation there or opens one, and the workbench opens it.
 */
export function ContactModal({ customerId, customerName, channels, isOpen, onClose, onSent }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const inboxes = useInboxes();
  const send = useContactCustomer(customerId);
  const content = Form.useWatch('content', form) ?? '';
  const inboxId = Form.useWatch('inboxId', form);

  const options = useMemo<Option[]>(() => {
    const known = (channels?.items ?? []).map((item) => ({
      value: item.inboxId,
      label: item.inboxName,
      type: item.channelType,
      address: item.address,
      isLastUsed: item.inboxId === channels?.lastUsedInboxId,
    }));
    const knownIds = new Set(known.map((item) => item.value));
    const more = (inboxes.data ?? [])
      .filter((inbox) => reachableByAddress.has(inbox.channelType) && !knownIds.has(inbox.id))
      .map((inbox) => ({
        value: inbox.id,
        label: inbox.name,
        type: inbox.channelType,
        address: null,
        isLastUsed: false,
      }));
    return [...known.sort((a, b) => Number(b.isLastUsed) - Number(a.isLastUsed)), ...more];
  }, [channels, inboxes.data]);

  const defaultInboxId = channels?.lastUsedInboxId ?? options[0]?.value;
  useEffect(() => {
    if (!isOpen) return;
    send.reset();
    form.setFieldsValue({ inboxId: defaultInboxId, content: '' });
  }, [isOpen, defaultInboxId, form, send.reset]);

  const chosen = options.find((option) => option.value === inboxId);
  const submit = (values: Values) => {
    send.mutate(
      { inboxId: values.inboxId, content: values.content.trim() },
      {
        onSuccess: ({ conversation }) => {
          void message.success(t('customerChannels.sent'));
          onClose();
          onSent(conversation.id);
        },
        onError: (error) => {
          // A field the server refused (no email address for an email inbox…) shows on its field.
          if (isApiError(error) && error.status === 400) {
            form.setFields([{ name: 'inboxId', errors: [errorMessage(error, t)] }]);
          }
        },
      },
    );
  };

  const fieldError = send.error && !(isApiError(send.error) && send.error.status === 400) ? send.error : null;
  return (
    <Modal
      open={isOpen}
      title={t('customerChannels.contactTitle', { name: customerName })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('customerChannels.send')}
      okButtonProps={
        { loading: send.isPending, disabled: options.length === 0, 'data-testid': 'contact-send' } as ButtonProps
      }
      destroyOnHidden
      data-testid="contact-modal"
    >
      <p className="hk-muted">{t('customerChannels.contactHelp')}</p>
      {options.length === 0 && !inboxes.isPending && (
        <Alert type="info" showIcon title={t('customerChannels.noChannels')} style={{ marginBottom: 12 }} />
      )}
      {fieldError && <Alert type="error" showIcon title={errorMessage(fieldError, t)} style={{ marginBottom: 12 }} />}
      <Form<Values> form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item
          name="inboxId"
          label={t('customerChannels.channel')}
          rules={[{ required: true, message: t('customerChannels.channelRequired') }]}
        >
          <Select
            data-testid="contact-channel"
            options={options.map((option) => {
              const Icon = channelIconOf(option.type);
              return {
                value: option.value,
                label: (
                  <span data-testid="contact-channel-option" data-inbox-id={option.value}>
                    <Icon /> {option.label} · {t(`channels.${option.type}`)}
                    {option.address ? <span className="hk-muted"> · {option.address}</span> : null}
                    {option.isLastUsed ? <span className="hk-muted"> · {t('customerChannels.lastUsed')}</span> : null}
                  </span>
                ),
              };
            })}
          />
        </Form.Item>
        <Form.Item
          name="content"
          label={t('customerChannels.content')}
          rules={[{ required: true, whitespace: true, message: t('customerChannels.contentRequired') }]}
          extra={
            chosen?.type === 'sms' && content.trim()
              ? t('channelChat.sms.counter', { count: smsSegments(content.trim()) })
              : undefined
          }
        >
          <Input.TextArea
            autoSize={{ minRows: 3, maxRows: 8 }}
            maxLength={5000}
            placeholder={t('customerChannels.contentPlaceholder')}
            data-testid="contact-content"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
