import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Select, Space } from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';

type Props = {
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  pageSize: number;
  onPageSize: (size: number) => void;
  /** Rows on this page; unknown while the page loads (the summary then names only the page). */
  count?: number;
  /** The list's total, where the API can count it (before the page summary). */
  total?: ReactNode;
};

/**
 * Previous/next paging for cursor lists: no page numbers to jump to (keyset pages; a total, where one is shown,
 * may be an estimate).
 */
export function CursorPager({ page, hasNext, onPrevious, onNext, pageSize, onPageSize, count, total }: Props) {
  const { t } = useTranslation();
  return (
    <div className="hk-pager">
      <span className="hk-muted">
        {total}
        {total ? ' · ' : null}
        {count === undefined ? t('pager.pageOnly', { page }) : t('pager.summary', { page, count })}
      </span>
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

/**
 * Page state for a cursor list: the cursors of the pages visited so far ([undefined, cursorOfPage2, …]) and the
 * page size. `pagerProps` wires a CursorPager to it; `reset` goes back to the first page when a filter changes.
 */
export function useCursorPages(initialPageSize = 20) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [pageSize, setPageSize] = useState(initialPageSize);
  const reset = () => setCursors([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    pageSize,
    reset,
    /** Props for a CursorPager showing `loaded`, the current page's answer (undefined while it loads). */
    pagerProps: (loaded: { items: unknown[]; nextCursor: string | null } | undefined): Props => ({
      page: cursors.length,
      count: loaded?.items.length,
      hasNext: Boolean(loaded?.nextCursor),
      onPrevious: () => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)),
      onNext: () => {
        const nextCursor = loaded?.nextCursor;
        if (nextCursor) setCursors((stack) => [...stack, nextCursor]);
      },
      pageSize,
      onPageSize: (size) => {
        setPageSize(size);
        reset();
      },
    }),
  };
}
