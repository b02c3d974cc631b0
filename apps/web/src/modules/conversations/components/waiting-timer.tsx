import { ClockCircleOutlined } from '@ant-design/icons';
import { Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatDuration, useNow } from '../../../ui/time.ts';

const amberAfterSeconds = 3 * 60;
const redAfterSeconds = 10 * 60;

export type WaitingLevel = 'ok' | 'warn' | 'late';

export const waitingLevel = (seconds: number): WaitingLevel =>
  seconds >= redAfterSeconds ? 'late' : seconds >= amberAfterSeconds ? 'warn' : 'ok';

/** How long the customer has waited for us: the most important pixel; amber after 3 min, red after 10. */
export function WaitingTimer({ since }: { since: string }) {
  const { t } = useTranslation();
  const now = useNow(1000);
  const seconds = Math.max(0, (now - Date.parse(since)) / 1000);
  const level = waitingLevel(seconds);
  return (
    <Tooltip title={t('inbox.waitingSince', { time: formatDateTime(since) })}>
      <span className={`hk-waiting hk-waiting-${level}`} data-testid="waiting-timer" data-level={level}>
        <ClockCircleOutlined />
        {formatDuration(seconds, t)}
      </span>
    </Tooltip>
  );
}
