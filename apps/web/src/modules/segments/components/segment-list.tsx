import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Segment } from '@huike/contracts';
import { Button, Card, Skeleton, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { formatDateTime, formatRelative, useNow } from '../../../ui/time.ts';
import { useSegmentCount, useSegments } from '../hooks/use-segments.ts';

type Props = {
  selectedId: string | undefined;
  canManage: boolean;
  onOpen: (id: string) => void;
  onNew: () => void;
};

/**
 * Saved segments (分组), each with its last count and how old it is, shown at once; old counts are counted again in
 * the background, row by row (a spinner on that row only), and 刷新 on a row counts it now.
 */
export function SegmentList({ selectedId, canManage, onOpen, onNew }: Props) {
  const { t } = useTranslation();
  const segments = useSegments();
  return (
    <Card
      variant="borderless"
      className="hk-card hk-segment-list"
      title={t('segments.saved')}
      extra={
        canManage && (
          <Button size="small" type="link" icon={<PlusOutlined />} onClick={onNew} data-testid="segment-new">
            {t('segments.new')}
          </Button>
        )
      }
    >
      {segments.isLoading ? (
        <Skeleton active title={false} paragraph={{ rows: 5 }} />
      ) : segments.isError ? (
        <ErrorState error={segments.error} onRetry={() => void segments.refetch()} compact />
      ) : segments.data?.length ? (
        <ul className="hk-segment-items">
          {segments.data.map((segment) => (
            <SegmentItem
              key={segment.id}
              segment={segment}
              isSelected={segment.id === selectedId}
              onOpen={() => onOpen(segment.id)}
            />
          ))}
        </ul>
      ) : (
        <EmptyState title={t('segments.emptyTitle')} description={t('segments.emptyDescription')} />
      )}
    </Card>
  );
}

function SegmentItem({ segment, isSelected, onOpen }: { segment: Segment; isSelected: boolean; onOpen: () => void }) {
  const { t, i18n } = useTranslation();
  const count = useSegmentCount(segment);
  const now = useNow(30_000);
  const locale = i18n.language.startsWith('zh') ? 'zh-CN' : 'en-US';
  let figure: React.ReactNode;
  if (count.count !== null) figure = t('segments.countShort', { count: count.count.toLocaleString(locale) });
  else if (count.isCounting) figure = <span className="hk-muted">{t('segments.countCounting')}</span>;
  else if (count.isError) figure = <span className="hk-muted">{t('segments.countFailed')}</span>;
  else figure = <span className="hk-muted">{t('segments.countNever')}</span>;
  return (
    <li
      className={isSelected ? 'hk-segment-row hk-segment-row-selected' : 'hk-segment-row'}
      data-testid="segment-item"
      data-segment-id={segment.id}
      data-counting={count.isCounting ? 'true' : 'false'}
    >
      <button type="button" className="hk-segment-item" onClick={onOpen}>
        <span className="hk-segment-item-main">
          <Typography.Text strong ellipsis>
            {segment.name}
          </Typography.Text>
          {segment.description && (
            <Typography.Text type="secondary" ellipsis className="hk-segment-item-description">
              {segment.description}
            </Typography.Text>
          )}
        </span>
        <span className="hk-segment-item-count">
          <span data-testid="segment-count" data-count={count.count ?? undefined}>
            {figure}
          </span>
          {count.countedAt && (
            <Tooltip title={t('segments.countedAt', { time: formatDateTime(count.countedAt) })}>
              <time className="hk-segment-item-age" dateTime={count.countedAt} data-testid="segment-counted-at">
                {count.isError ? t('segments.countFailed') : formatRelative(count.countedAt, now)}
              </time>
            </Tooltip>
          )}
        </span>
      </button>
      <Tooltip title={t('segments.countRefresh')}>
        <Button
          type="text"
          size="small"
          className="hk-segment-item-refresh"
          icon={<ReloadOutlined spin={count.isCounting} />}
          disabled={count.isCounting}
          onClick={count.refresh}
          aria-label={t('segments.countRefresh')}
          data-testid="segment-count-refresh"
        />
      </Tooltip>
    </li>
  );
}
