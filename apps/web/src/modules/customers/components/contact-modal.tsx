import type { ChannelType, CustomerChannel, CustomerChannels } from '@huike/contracts';
import { Alert, App, type ButtonProps, Form, Input, Modal, Select } from 'antd';
import type { TFunction } from 'i18next';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../../api/client.ts';
import { errorMessage } from '../../../ui/errors.tsx';
import { smsSegments } from '../../conversations/channel-meta.ts';
import { channelIconOf } from '../../conversations/components/channel-icon.tsx';
import { useChannelAddressText, useContactCustomer } from '../hooks/use-customer-channels.ts';

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

type Option = {
  value: string;
  label: string;
  type: ChannelType;
  address: string | null;
  isLastUsed: boolean;
  /** Why this inbox cannot reach the customer now (shown on the disabled option); null when it can. */
  blockedBy: string | null;
  blocker: CustomerChannel['cannotContact'];
};

/** Why an agent cannot write to the customer on this inbox, in words; null when they can. */
export function contactBlockerText(item: CustomerChannel, t: TFunction): string | null {
  switch (item.cannotContact) {
    case null:
      return null;
    case 'receive_only':
      return t('customerChannels.blockers.receive_only');
    case 'address_taken':
      return item.addressOwner?.customerName
        ? t('customerChannels.blockers.address_taken_named', { name: item.addressOwner.customerName })
        : t('customerChannels.blockers.address_taken');
    case 'no_address':
      return item.channelType === 'sms'
        ? t('customerChannels.blockers.no_phone')
        : t('customerChannels.blockers.no_email');
  }
}

/**
 * 通过其他渠道联系: pick the channel (the one the customer used last is chosen for you), write, send. The server
 * continues their open conversation there or opens one, and the workbench opens it. Channels that cannot reach the
 * customer (a receive-only inbox, an address another customer owns there, no address on the profile) are listed
 * disabled with the reason, so the agent learns it before writing.
 */
export function ContactModal({ customerId, customerName, channels, isOpen, onClose, onSent }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const send = useContactCustomer(customerId);
  // Phones masked as on the 渠道 cards and the profile, until the user reveals the customer's phones there.
  const addressText = useChannelAddressText(customerId);
  const content = Form.useWatch('content', form) ?? '';
  const inboxId = Form.useWatch('inboxId', form);

  const options = useMemo<Option[]>(() => {
    const all = (channels?.items ?? []).map((item) => ({
      value: item.inboxId,
      label: item.inboxName,
      type: item.channelType,
      address: addressText(item),
      isLastUsed: item.inboxId === channels?.lastUsedInboxId,
      blockedBy: contactBlockerText(item, t),
      blocker: item.cannotContact,
    }));
    // Those that can reach the customer first, the one they used last on top; the rest keep the server's order.
    const rank = (option: Option) => (option.blockedBy ? 2 : option.isLastUsed ? 0 : 1);
    return all.sort((a, b) => rank(a) - rank(b));
  }, [channels, t, addressText]);
  const usable = options.filter((option) => !option.blockedBy);

  const defaultInboxId = usable[0]?.value;
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
        { loading: send.isPending, disabled: usable.length === 0, 'data-testid': 'contact-send' } as ButtonProps
      }
      destroyOnHidden
      data-testid="contact-modal"
    >
      <p className="hk-muted">{t('customerChannels.contactHelp')}</p>
      {channels && usable.length === 0 && (
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
            classNames={{ popup: { root: 'hk-contact-channel-popup' } }}
            options={options.map((option) => {
              const Icon = channelIconOf(option.type);
              return {
                value: option.value,
                disabled: option.blockedBy !== null,
                option,
                label: (
                  <span data-testid="contact-channel-selected">
                    <Icon /> {option.label} · {t(`channels.${option.type}`)}
                    {option.address ? <span className="hk-muted"> · {option.address}</span> : null}
                  </span>
                ),
              };
            })}
            optionRender={({ data }) => {
              const { option } = data as { option: Option };
              const Icon = channelIconOf(option.type);
              return (
                <div
                  data-testid="contact-channel-option"
                  data-inbox-id={option.value}
                  data-blocked={option.blocker ?? undefined}
                >
                  <div>
                    <Icon /> {option.label} · {t(`channels.${option.type}`)}
                    {option.isLastUsed ? <span className="hk-muted"> · {t('customerChannels.lastUsed')}</span> : null}
                  </div>
                  {option.address || option.blockedBy ? (
                    <div className="hk-small hk-contact-channel-detail">
                      {option.address ? <span className="hk-mono">{option.address}</span> : null}
                      {option.blockedBy ? (
                        <span className="hk-contact-channel-blocked" data-testid="contact-channel-blocked">
                          {option.blockedBy}
                        </span>
                      ) : null}
                    </div>
                  ) : null}
                </div>
              );
            }}
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
