import {
  CheckOutlined,
  ClockCircleOutlined,
  ExclamationCircleFilled,
  StopOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import type { Message, MessageDelivery } from '@huike/contracts';
import { App, Button, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { deliveryFailureText } from '../../../ui/delivery-reasons.ts';
import { errorMessage } from '../../../ui/errors.tsx';
import { attachmentsNotSentOf } from '../channel-meta.ts';
import { useRetryDelivery } from '../hooks/use-messages.ts';

/**
 * Where an outbound channel message is (email, WeChat, SMS, API deliver it later): 发送中, ✓ 已发送, ✓✓ 已送达,
 * ! 发送失败 with the reason (in the reader's language, the full sentence on hover) and 重试, or 退信 with the reason. Live through realtime `message.updated` frames.
 */
export function DeliveryMark({ message, delivery }: { message: Message; delivery: MessageDelivery }) {
  const { t } = useTranslation();
  const { message: toast } = App.useApp();
  const retry = useRetryDelivery(message.conversationId);
  const reason = deliveryFailureText(delivery, t) || t('channelChat.delivery.noReason');
  const common = { 'data-testid': 'delivery-mark', 'data-delivery': delivery.status };

  switch (delivery.status) {
    case 'pending':
      return (
        <span className="hk-delivery hk-delivery-pending" {...common}>
          <ClockCircleOutlined /> {t('channelChat.delivery.pending')}
        </span>
      );
    case 'sent':
      return (
        <span className="hk-delivery" {...common}>
          <CheckOutlined /> {t('channelChat.delivery.sent')}
          <AttachmentsNotSent message={message} />
        </span>
      );
    case 'delivered':
      return (
        <span className="hk-delivery hk-delivery-delivered" {...common}>
          <span className="hk-delivery-double" aria-hidden>
            <CheckOutlined />
            <CheckOutlined />
          </span>{' '}
          {t('channelChat.delivery.delivered')}
          <AttachmentsNotSent message={message} />
        </span>
      );
    case 'bounced':
      return (
        <span className="hk-delivery hk-delivery-bad" {...common}>
          <Tooltip title={t('channelChat.delivery.bouncedHelp', { error: reason })}>
            <span data-testid="delivery-reason" data-reason={reason}>
              <StopOutlined /> {t('channelChat.delivery.bounced')}
              <span className="hk-delivery-reason">{reason}</span>
            </span>
          </Tooltip>
        </span>
      );
    case 'failed':
      return (
        <span className="hk-delivery hk-delivery-bad" {...common}>
          <Tooltip title={t('channelChat.delivery.failedHelp', { error: reason })}>
            <span data-testid="delivery-reason" data-reason={reason}>
              <ExclamationCircleFilled /> {t('channelChat.delivery.failed')}
              <span className="hk-delivery-reason">{reason}</span>
            </span>
          </Tooltip>
          <Button
            type="link"
            size="small"
            className="hk-delivery-retry"
            loading={retry.isPending}
            onClick={() =>
              retry.mutate(message, {
                onError: (error) =>
                  void toast.error(t('channelChat.delivery.retryFailed', { message: errorMessage(error, t) })),
              })
            }
            data-testid="delivery-retry"
          >
            {t('channelChat.delivery.retry')}
          </Button>
        </span>
      );
    default:
      return null;
  }
}

/** The text went, some attachments did not (the channel cannot carry them): said next to 已发送, with their names. */
function AttachmentsNotSent({ message }: { message: Message }) {
  const { t } = useTranslation();
  const names = attachmentsNotSentOf(message);
  if (!names) return null;
  const help =
    names.length > 0
      ? t('channelChat.delivery.attachmentsNotSentHelp', { names: names.join('、') })
      : t('channelChat.delivery.attachmentsNotSentUnnamed');
  return (
    <Tooltip title={help}>
      <span className="hk-delivery-warning" data-testid="attachments-not-sent">
        <WarningOutlined /> {t('channelChat.delivery.attachmentsNotSent')}
      </span>
    </Tooltip>
  );
}
