import type { Job } from '@huike/contracts';
import { Alert, Progress, Typography } from 'antd';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState } from '../../../ui/error-state.tsx';
import { isJobFinished, useJob } from '../hooks/use-job.ts';

type Props = {
  jobId: string;
  /** The job as the enqueue call answered it, so the bar shows at once. */
  initial?: Job;
  /** Called once when the job succeeds or fails. */
  onFinished?: (job: Job) => void;
  /** What the user sees when the job succeeded (counts, download link…). */
  renderResult?: (job: Job) => ReactNode;
};

const formatCount = (value: number) => value.toLocaleString('zh-CN');

/** A job's progress bar (polled), then its result or what went wrong. */
export function JobProgress({ jobId, initial, onFinished, renderResult }: Props) {
  const { t } = useTranslation();
  const query = useJob(jobId, initial);
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
  const status = job.status === 'failed' ? 'exception' : job.status === 'succeeded' ? 'success' : 'active';

  return (
    <div className="hk-job" data-testid="job-progress" data-status={job.status}>
      <Progress percent={percent} status={status} />
      <Typography.Text type="secondary" className="hk-job-line" data-testid="job-status">
        {job.status === 'queued' && t('jobs.queued')}
        {job.status === 'running' &&
          (total !== null
            ? t('jobs.runningOf', { done: formatCount(done), total: formatCount(total) })
            : t('jobs.running', { done: formatCount(done) }))}
        {job.status === 'succeeded' && t('jobs.succeeded')}
        {job.status === 'failed' && t('jobs.failed')}
      </Typography.Text>
      {job.status === 'failed' && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          title={job.error?.message || t('jobs.failedHelp')}
          data-testid="job-error"
        />
      )}
      {job.status === 'succeeded' && renderResult && <div className="hk-job-result">{renderResult(job)}</div>}
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
