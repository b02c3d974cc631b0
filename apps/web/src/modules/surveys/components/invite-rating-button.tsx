import { LikeOutlined } from '@ant-design/icons';
import { App, Button, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useSendCsat } from '../hooks/use-surveys.ts';

/** 邀请评价: posts the conversation's CSAT invitation (mounted in the composer toolbar). */
export function InviteRatingButton({ conversationId, isDisabled }: { conversationId: string; isDisabled?: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const send = useSendCsat();
  return (
    <Tooltip title={t('surveys.invite')}>
      <Button
        size="small"
        type="text"
        icon={<LikeOutlined />}
        disabled={isDisabled}
        loading={send.isPending}
        aria-label={t('surveys.invite')}
        data-testid="invite-rating"
        onClick={() =>
          send.mutate(conversationId, {
            onSuccess: () => message.success(t('surveys.invited')),
            onError: (error) => message.error(errorMessage(error, t)),
          })
        }
      >
        {t('surveys.invite')}
      </Button>
    </Tooltip>
  );
}
