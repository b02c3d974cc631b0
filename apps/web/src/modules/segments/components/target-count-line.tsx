import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { useTargetCount } from '../hooks/use-bulk.ts';

/** "what is targeted · N 位客户": the exact count a bulk action or an export will act on, counting while it loads. */
export function TargetCountLine({
  description,
  count,
  testId,
}: {
  description: string;
  count: ReturnType<typeof useTargetCount>;
  testId: string;
}) {
  const { t } = useTranslation();
  const total = count.data?.count;
  return (
    <Typography.Paragraph>
      {description}
      {' · '}
      {count.isLoading ? (
        <span className="hk-muted">{t('bulk.counting')}</span>
      ) : total !== undefined ? (
        <Typography.Text strong data-testid={testId}>
          {t('bulk.customersCount', { count: total })}
        </Typography.Text>
      ) : null}
    </Typography.Paragraph>
  );
}
