import { DownloadOutlined } from '@ant-design/icons';
import {
  type ExportField,
  type ExportFormat,
  type ExportTarget,
  exportFieldLabel,
  type Job,
  PDF_EXPORT_MAX_CUSTOMERS,
} from '@huike/contracts';
import { Alert, Button, Checkbox, Divider, Modal, Radio, Skeleton, Space, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { useCan } from '../../identity/hooks/use-session.ts';
import { fileUrl } from '../../jobs/api/jobs-api.ts';
import { JobProgress, resultNumber, resultString } from '../../jobs/components/job-progress.tsx';
import { TargetCountLine } from '../../segments/components/target-count-line.tsx';
import { useTargetCount } from '../../segments/hooks/use-bulk.ts';
import { useCreateExport, useExportFields } from '../hooks/use-imports.ts';

type Props = {
  open: boolean;
  target: ExportTarget;
  /** Who is being exported, for the title: 「分组：沉睡客户」, 「已选 12 位客户」. */
  description: string;
  onClose: () => void;
};

/** A built-in field's name in the UI language; custom fields (`custom:<key>`) carry the label their admin gave. */
function fieldLabel(field: ExportField, language: string): string {
  return exportFieldLabel(field.key, language === 'en' ? 'en' : 'zh-CN') ?? field.label;
}

/** Export dialog: fields and format, the exact count first, then the job's progress and the download link. */
export function ExportDialog({ open, target, description, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const fields = useExportFields(open);
  const count = useTargetCount(target, open);
  const create = useCreateExport();
  const [chosen, setChosen] = useState<string[]>([]);
  const [format, setFormat] = useState<ExportFormat>('xlsx');
  const [job, setJob] = useState<Job | null>(null);
  const [finished, setFinished] = useState<Job | null>(null);

  const items = fields.data?.items ?? [];
  useEffect(() => {
    if (open && items.length && chosen.length === 0)
      setChosen(items.filter((field) => field.isDefault).map((f) => f.key));
  }, [open, items, chosen.length]);

  useEffect(() => {
    if (!open) {
      setJob(null);
      setFinished(null);
      create.reset();
    }
  }, [open, create.reset]);

  const can = useCan();
  // Only roles that cannot reveal PII get masked values; tell them before they export.
  const isMasked = useMemo(
    () => !can('customers:reveal_pii') && items.some((field) => field.isPii && chosen.includes(field.key)),
    [can, items, chosen],
  );
  const ordered = items.filter((field) => chosen.includes(field.key)).map((field) => field.key);
  const total = count.data?.count;
  const isTooManyForPdf = total !== undefined && total > PDF_EXPORT_MAX_CUSTOMERS;
  useEffect(() => {
    if (isTooManyForPdf && format === 'pdf') setFormat('xlsx');
  }, [isTooManyForPdf, format]);

  // The file's headers and labels follow the UI language.
  const start = () =>
    create.mutate(
      { target, format, fields: ordered, locale: i18n.language === 'en' ? 'en' : 'zh-CN' },
      { onSuccess: (started) => setJob(started) },
    );

  const fileId = finished ? resultString(finished, 'fileId') : null;

  return (
    <Modal
      open={open}
      title={t('exports.title')}
      onCancel={onClose}
      destroyOnHidden
      width={620}
      footer={
        job ? (
          <Button onClick={onClose}>{t('jobs.close')}</Button>
        ) : (
          <Space>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              icon={<DownloadOutlined />}
              loading={create.isPending}
              disabled={ordered.length === 0 || total === 0 || count.isLoading}
              onClick={start}
              data-testid="export-start"
            >
              {total === undefined ? t('exports.start') : t('exports.startCount', { count: total })}
            </Button>
          </Space>
        )
      }
    >
      <div data-testid="export-dialog">
        <TargetCountLine description={description} count={count} testId="export-count" />
        {job ? (
          <JobProgress
            jobId={job.id}
            initial={job}
            onFinished={(done) => done.status === 'succeeded' && setFinished(done)}
            cancelWarning={() => t('exports.cancelWarning')}
            renderResult={(done) =>
              done.status === 'cancelled' ? (
                <Typography.Text data-testid="export-cancelled">{t('exports.cancelled')}</Typography.Text>
              ) : (
                <Space orientation="vertical">
                  <Typography.Text>{t('exports.done', { count: resultNumber(done, 'rows') })}</Typography.Text>
                  {fileId && (
                    <Button
                      type="primary"
                      icon={<DownloadOutlined />}
                      href={fileUrl(fileId)}
                      download
                      data-testid="export-download"
                    >
                      {t('exports.download')}
                    </Button>
                  )}
                </Space>
              )
            }
          />
        ) : (
          <>
            <Typography.Text strong>{t('exports.format')}</Typography.Text>
            <div style={{ margin: '8px 0 16px' }}>
              <Radio.Group
                value={format}
                onChange={(event) => setFormat(event.target.value)}
                optionType="button"
                options={[
                  { value: 'xlsx', label: 'Excel (.xlsx)' },
                  { value: 'csv', label: 'CSV' },
                  { value: 'pdf', label: 'PDF', disabled: isTooManyForPdf },
                ]}
                data-testid="export-format"
              />
              {isTooManyForPdf && (
                <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }} data-testid="export-pdf-too-many">
                  {t('exports.pdfTooMany', { max: PDF_EXPORT_MAX_CUSTOMERS.toLocaleString('zh-CN') })}
                </Typography.Paragraph>
              )}
            </div>
            <Space style={{ width: '100%', justifyContent: 'space-between' }}>
              <Typography.Text strong>{t('exports.fields', { count: ordered.length })}</Typography.Text>
              <Space size={4}>
                <Button size="small" type="link" onClick={() => setChosen(items.map((field) => field.key))}>
                  {t('exports.selectAll')}
                </Button>
                <Button
                  size="small"
                  type="link"
                  onClick={() => setChosen(items.filter((field) => field.isDefault).map((field) => field.key))}
                >
                  {t('exports.selectDefault')}
                </Button>
              </Space>
            </Space>
            <Divider style={{ margin: '8px 0' }} />
            {fields.isLoading ? (
              <Skeleton active paragraph={{ rows: 3 }} title={false} />
            ) : fields.isError ? (
              <ErrorState error={fields.error} onRetry={() => void fields.refetch()} compact />
            ) : (
              <Checkbox.Group
                className="hk-export-fields"
                value={chosen}
                onChange={(values) => setChosen(values as string[])}
                options={items.map((field) => ({ value: field.key, label: fieldLabel(field, i18n.language) }))}
              />
            )}
            {isMasked && <Alert type="info" showIcon style={{ marginTop: 12 }} title={t('exports.piiMasked')} />}
            {create.error ? (
              <Alert type="error" showIcon style={{ marginTop: 12 }} title={errorMessage(create.error, t)} />
            ) : null}
          </>
        )}
      </div>
    </Modal>
  );
}
