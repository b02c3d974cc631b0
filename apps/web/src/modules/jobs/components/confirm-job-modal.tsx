import type { Job } from '@huike/contracts';
import { Button, Modal, Space } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { JobProgress } from './job-progress.tsx';

type Props = {
  open: boolean;
  title: ReactNode;
  width?: number;
  onClose: () => void;
  /** Test ids `<prefix>-modal`, `<prefix>-confirm` and `<prefix>-close`. */
  testIdPrefix: string;
  /** Shown above the form and, once started, above the job (who is affected, the count). */
  header?: ReactNode;
  /** The job once the confirm button started it: the body becomes its progress and the footer a single 关闭. */
  job: Job | null;
  confirm: { label: ReactNode; onClick: () => void; disabled?: boolean; loading?: boolean; danger?: boolean };
  /** What the user sees when the job succeeded or was cancelled. */
  renderResult: (job: Job) => ReactNode;
  /** Called once when the job succeeds, fails or is cancelled (e.g. to refresh lists). */
  onFinished?: (job: Job) => void;
  /** Offers 取消 while the job runs: what its confirmation says stays done (see JobProgress). */
  cancelWarning?: (done: number) => ReactNode;
  /** What to fill in and read before confirming. */
  children: ReactNode;
};

/**
 * The modal of an action run as a background job: say what will happen (the exact count first), confirm, then a
 * progress bar with the result and 关闭. Used by 批量操作 and 群发短信.
 */
export function ConfirmJobModal({
  open,
  title,
  width = 560,
  onClose,
  testIdPrefix,
  header,
  job,
  confirm,
  renderResult,
  onFinished,
  cancelWarning,
  children,
}: Props) {
  const { t } = useTranslation();
  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      destroyOnHidden
      width={width}
      footer={
        job ? (
          <Button onClick={onClose} data-testid={`${testIdPrefix}-close`}>
            {t('jobs.close')}
          </Button>
        ) : (
          <Space>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              danger={confirm.danger}
              disabled={confirm.disabled}
              loading={confirm.loading}
              onClick={confirm.onClick}
              data-testid={`${testIdPrefix}-confirm`}
            >
              {confirm.label}
            </Button>
          </Space>
        )
      }
    >
      <div data-testid={`${testIdPrefix}-modal`}>
        {header}
        {job ? (
          <JobProgress
            jobId={job.id}
            initial={job}
            onFinished={onFinished}
            renderResult={renderResult}
            cancelWarning={cancelWarning}
          />
        ) : (
          children
        )}
      </div>
    </Modal>
  );
}
