import type { ConversationStatus } from '@huike/contracts';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const colors: Record<ConversationStatus, string> = {
  open: 'processing',
  pending: 'warning',
  snoozed: 'purple',
  resolved: 'success',
};

export function StatusTag({ status }: { status: ConversationStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={colors[status]} data-testid="conversation-status" data-status={status}>
      {t(`status.${status}`)}
    </Tag>
  );
}
