import { Tooltip } from 'antd';
import { formatDateTime, formatRelative, useNow } from './time.ts';

type Props = { iso: string | null | undefined; className?: string };

/** "3分钟前" that keeps itself current, with the absolute time (workspace timezone) on hover. */
export function RelativeTime({ iso, className }: Props) {
  const now = useNow(30_000);
  if (!iso) return null;
  return (
    <Tooltip title={formatDateTime(iso)}>
      <time dateTime={iso} className={className}>
        {formatRelative(iso, now)}
      </time>
    </Tooltip>
  );
}
