import { PlusOutlined } from '@ant-design/icons';
import type { Segment } from '@huike/contracts';
import { Button, Card, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { useSegmentCount, useSegments } from '../hooks/use-segments.ts';

type Props = {
  selectedId: string | undefined;
  canManage: boolean;
  onOpen: (id: string) => void;
  onNew: () => void;
};

/** Saved segments (分组), each with its current count. */
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
  const { t } = useTranslation();
  const count = useSegmentCount(segment.id);
  return (
    <li>
      <button
        type="button"
        className={isSelected ? 'hk-segment-item hk-segment-item-selected' : 'hk-segment-item'}
        onClick={onOpen}
        data-testid="segment-item"
        data-segment-id={segment.id}
      >
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
        <span className="hk-segment-item-count" data-testid="segment-count">
          {count.data
            ? t('segments.countShort', { count: count.data.count.toLocaleString('zh-CN') })
            : count.isError
              ? '—'
              : '…'}
        </span>
      </button>
    </li>
  );
}
