import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';

type Props = {
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  pageSize: number;
  onPageSize: (size: number) => void;
  count: number;
};

/** Previous/next paging for cursor lists (the API has no totals, so no page numbers to jump to). */
export function CursorPager({ page, hasNext, onPrevious, onNext, pageSize, onPageSize, count }: Props) {
  const { t } = useTranslation();
  return (
    <div className="hk-pager">
      <span className="hk-muted">{t('pager.summary', { page, count })}</span>
      <Space>
        <Select<number>
          size="small"
          value={pageSize}
          onChange={onPageSize}
          options={[20, 50, 100].map((size) => ({ value: size, label: t('pager.perPage', { size }) }))}
        />
        <Button size="small" icon={<LeftOutlined />} disabled={page <= 1} onClick={onPrevious}>
          {t('pager.previous')}
        </Button>
        <Button size="small" disabled={!hasNext} onClick={onNext} data-testid="pager-next">
          {t('pager.next')} <RightOutlined />
        </Button>
      </Space>
    </div>
  );
}
