import type { ImportDryRunResult, RejectedRow } from '@huike/contracts';
import { Alert, Col, Row, Statistic, Table, type TableColumnsType, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { rejectedRowReasons } from '../cell-errors.ts';

type Props = { result: ImportDryRunResult };

const n = (value: number) => value.toLocaleString('zh-CN');

/** Step 3: what the import would do, nothing written yet; rejected rows with their row number and reason. */
export function DryRunStep({ result }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<RejectedRow> = [
    { key: 'row', title: t('imports.rowNumber'), width: 100, render: (_, row) => t('imports.rowN', { row: row.row }) },
    {
      key: 'reason',
      title: t('imports.reason'),
      // Every bad cell of the row, one reason a line, in the user's language.
      render: (_, row) =>
        rejectedRowReasons(row).map((reason) => (
          <div key={reason} data-testid="rejected-reason">
            {reason}
          </div>
        )),
    },
  ];
  return (
    <div data-testid="import-dry-run">
      <Typography.Paragraph type="secondary">{t('imports.dryRunHelp', { count: result.total })}</Typography.Paragraph>
      <Row gutter={16} className="hk-import-stats">
        <Col span={6}>
          <Statistic title={t('imports.willCreate')} value={result.create} data-testid="dry-run-create" />
        </Col>
        <Col span={6}>
          <Statistic title={t('imports.willUpdate')} value={result.update} data-testid="dry-run-update" />
        </Col>
        <Col span={6}>
          <Statistic title={t('imports.unchanged')} value={result.unchanged} data-testid="dry-run-unchanged" />
        </Col>
        <Col span={6}>
          <Statistic
            title={t('imports.willReject')}
            value={result.rejected}
            styles={result.rejected ? { content: { color: '#cf1322' } } : undefined}
            data-testid="dry-run-rejected"
          />
        </Col>
      </Row>
      {result.rejected > 0 ? (
        <>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {result.rejected > result.rejectedSample.length
              ? t('imports.rejectedSampleTitleSome', { shown: result.rejectedSample.length, total: n(result.rejected) })
              : t('imports.rejectedSampleTitle')}
          </Typography.Title>
          <Table<RejectedRow>
            rowKey={(row) => row.row}
            size="small"
            columns={columns}
            dataSource={result.rejectedSample}
            pagination={result.rejectedSample.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
            onRow={() => ({ 'data-testid': 'rejected-row' }) as React.HTMLAttributes<HTMLElement>}
          />
          <Alert type="info" showIcon style={{ marginTop: 12 }} title={t('imports.rejectedGoodRowsNote')} />
        </>
      ) : (
        <Alert type="success" showIcon style={{ marginTop: 16 }} title={t('imports.noRejected')} />
      )}
    </div>
  );
}
