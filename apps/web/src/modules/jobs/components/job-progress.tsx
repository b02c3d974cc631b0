import type { Job } from '@huike/contracts';
import { Alert, Button, Popconfirm, Progress, Space, Typography } from 'antd';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../../ui/error-state.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { isJobFinished, useCancelJob, useJob } from '../hooks/use-job.ts';

type Props = {
  jobId: string;
  /** The job as the enqueue call answered it, so the bar shows at once. */
  initial?: Job;
  /** Called once when the job succeeds, fails or is cancelled. */
  onFinished?: (job: Job) => void;
  /** What the user sees when the job succeeded or was cancelled (counts, download link…). */
  renderResult?: (job: Job) => ReactNode;
  /**
   * Offers 取消 while the job is queued or running, confirmed with what stays done after `done` items (e.g.
   * 「已处理的 1,000 位客户不会撤回」). Without it the job cannot be cancelled here.
   */
  cancelWarning?: (done: number) => ReactNode;
};

const formatCount = (value: number) => value.toLocaleString('zh-CN');

/** A job's progress bar (polled), then its result or what went wrong. */
export function JobProgress({ jobId, initial, onFinished, renderResult, cancelWarning }: Props) {
  const { t } = useTranslation();
  const query = useJob(jobId, initial);
  const cancel = useCancelJob();
  const job = query.data;
  const reported = useRef<string | null>(null);

  useEffect(() => {
    if (job && isJobFinished(job) && reported.current !== `${job.id}:${job.status}`) {
      reported.current = `${job.id}:${job.status}`;
      onFinished?.(job);
    }
  }, [job, onFinished]);

  if (query.isError && !job) return <ErrorState error={query.error} onRetry={() => void query.refetch()} compact />;
  if (!job) return <Progress percent={0} status="active" data-testid="job-progress" />;

  const { done, total } = job.progress;
  const percent =
    job.status === 'succeeded' ? 100 : total && total > 0 ? Math.min(99, Math.floor((done / total) * 100)) : 0;
  const status =
    job.status === 'failed'
      ? 'exception'
      : job.status === 'succeeded'
        ? 'success'
        : job.status === 'cancelled'
          ? 'normal'
          : 'active';
  const isCancellable = Boolean(cancelWarning) && !isJobFinished(job) && !job.isCancelRequested;

  return (
    <div className="hk-job" data-testid="job-progress" data-status={job.status}>
      <Progress percent={percent} status={status} />
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Text type="secondary" className="hk-job-line" data-testid="job-status">
          {job.status === 'queued' && t('jobs.queued')}
          {job.status === 'running' &&
            (job.isCancelRequested
              ? t('jobs.cancelling', { done: formatCount(done) })
              : total !== null
                ? t('jobs.runningOf', { done: formatCount(done), total: formatCount(total) })
                : t('jobs.running', { done: formatCount(done) }))}
          {job.status === 'succeeded' && t('jobs.succeeded')}
          {job.status === 'failed' && t('jobs.failed')}
          {job.status === 'cancelled' && t('jobs.cancelled')}
        </Typography.Text>
        {isCancellable && (
          <Popconfirm
            title={t('jobs.cancelConfirm')}
            description={cancelWarning?.(done)}
            okText={t('jobs.cancelJob')}
            okButtonProps={{ danger: true }}
            cancelText={t('jobs.keepRunning')}
            onConfirm={() => cancel.mutate(job.id)}
          >
            <Button size="small" danger loading={cancel.isPending} data-testid="job-cancel">
              {t('jobs.cancelJob')}
            </Button>
          </Popconfirm>
        )}
      </Space>
      {cancel.isError && (
        <Alert type="error" showIcon style={{ marginTop: 12 }} title={errorMessage(cancel.error, t)} />
      )}
      {job.status === 'failed' && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          title={job.error?.message || t('jobs.failedHelp')}
          data-testid="job-error"
        />
      )}
      {(job.status === 'succeeded' || job.status === 'cancelled') && renderResult && (
        <div className="hk-job-result">{renderResult(job)}</div>
      )}
    </div>
  );
}

/** A number from a job's result object (results are free-form JSON). */
export function resultNumber(job: Job, key: string): number {
  const value = job.result?.[key];
  return typeof value === 'number' ? value : 0;
}

/** A string from a job's result object. */
export function resultString(job: Job, key: string): string | null {
  const value = job.result?.[key];
  return typeof value === 'string' && value ? value : null;
}
