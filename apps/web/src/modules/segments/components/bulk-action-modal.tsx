import type { ExportTarget, Job } from '@huike/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Select, Space, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useUsers } from '../../identity/hooks/use-users.ts';
import { ConfirmJobModal } from '../../jobs/components/confirm-job-modal.tsx';
import { resultNumber } from '../../jobs/components/job-progress.tsx';
import { type BulkAction, toCustomerTarget } from '../api/bulk-api.ts';
import { useRunBulk, useTargetCount } from '../hooks/use-bulk.ts';
import { useTagOptions } from '../hooks/use-tag-options.ts';
import { TagSelect } from './tag-select.tsx';
import { TargetCountLine } from './target-count-line.tsx';

type Props = {
  open: boolean;
  action: BulkAction;
  target: ExportTarget;
  /** Who is affected, e.g. 「分组：沉睡客户」 or 「已选 12 位客户」. */
  description: string;
  onClose: () => void;
};

const n = (value: number) => value.toLocaleString('zh-CN');

/**
 * 批量打标签 / 移除标签 / 分配负责人: the exact count first, a sentence saying what will happen, then the job, which
 * can be cancelled while it runs. The job acts on the customers matching when it starts; its result says so when
 * that is not the count confirmed here.
 */
export function BulkActionModal({ open, action, target, description, onClose }: Props) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const count = useTargetCount(target, open);
  const run = useRunBulk();
  const tagOptions = useTagOptions();
  const users = useUsers();
  const [tagIds, setTagIds] = useState<string[]>([]);
  const [ownerId, setOwnerId] = useState<string | undefined>();
  const [job, setJob] = useState<Job | null>(null);

  useEffect(() => {
    if (!open) {
      setTagIds([]);
      setOwnerId(undefined);
      setJob(null);
      run.reset();
    }
  }, [open, run.reset]);

  const total = count.data?.count;
  const tagNames = tagIds.map((id) => tagOptions.byId.get(id)?.name ?? '?').join('」「');
  const ownerName = users.data?.find((user) => user.id === ownerId)?.name ?? '';
  const isReady = action === 'assign_owner' ? Boolean(ownerId) : tagIds.length > 0;

  const sentence =
    total === undefined || !isReady
      ? null
      : action === 'add_tags'
        ? t('bulk.confirmAddTags', { count: n(total), tags: tagNames })
        : action === 'remove_tags'
          ? t('bulk.confirmRemoveTags', { count: n(total), tags: tagNames })
          : t('bulk.confirmAssignOwner', { count: n(total), owner: ownerName });

  const submit = () => {
    // A second click while the first is on its way would queue the job twice (the server also answers a repeat
    // with the first job).
    if (total === undefined || run.isPending || job) return;
    run.mutate(
      {
        target: toCustomerTarget(target),
        action,
        expectedCount: total,
        ...(action === 'assign_owner' ? { ownerId } : { tagIds }),
      },
      { onSuccess: (started) => setJob(started) },
    );
  };

  const onFinished = useCallback(
    (done: Job) => {
      if (done.status === 'failed') return;
      void client.invalidateQueries({ queryKey: ['customers'] });
      void client.invalidateQueries({ queryKey: ['segments'] });
    },
    [client],
  );

  return (
    <ConfirmJobModal
      open={open}
      title={t(`bulk.actions.${action}`)}
      onClose={onClose}
      testIdPrefix="bulk"
      job={job}
      onFinished={onFinished}
      confirm={{
        label: t('bulk.confirm'),
        onClick: submit,
        disabled: !isReady || !total || count.isFetching || run.isPending,
        loading: run.isPending,
        danger: action === 'remove_tags',
      }}
      cancelWarning={(done) => t('bulk.cancelWarning', { count: done })}
      renderResult={(done) => {
        if (done.status === 'cancelled' && !done.result?.action)
          return <Typography.Text data-testid="bulk-result">{t('bulk.cancelledBeforeStart')}</Typography.Text>;
        const matched = resultNumber(done, 'matched');
        const expected = resultNumber(done, 'expectedCount');
        const processed = resultNumber(done, 'processed');
        const changed = resultNumber(done, 'changed');
        return (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text data-testid="bulk-result">
              {done.status === 'cancelled'
                ? t('bulk.cancelledResult', {
                    count: processed,
                    changed: n(changed),
                    rest: n(Math.max(0, matched - processed)),
                  })
                : t('bulk.done', { count: n(processed), changed: n(changed) })}
            </Typography.Text>
            {matched !== expected && (
              <Alert
                type="info"
                showIcon
                title={t('bulk.matchedDiffers', { expected: n(expected), matched: n(matched) })}
                data-testid="bulk-matched-differs"
              />
            )}
          </Space>
        );
      }}
      header={
        <>
          <TargetCountLine description={description} count={count} testId="bulk-count" />
          {count.isError && <Alert type="error" showIcon title={errorMessage(count.error, t)} />}
        </>
      }
    >
      <Space orientation="vertical" size={12} style={{ width: '100%' }}>
        {action === 'assign_owner' ? (
          <Select
            style={{ width: '100%' }}
            placeholder={t('bulk.ownerPlaceholder')}
            value={ownerId}
            onChange={setOwnerId}
            showSearch={{ optionFilterProp: 'label' }}
            loading={users.isLoading}
            options={(users.data ?? [])
              .filter((user) => !user.disabled)
              .map((user) => ({ value: user.id, label: `${user.name}（${user.email}）` }))}
            data-testid="bulk-owner"
          />
        ) : (
          <TagSelect
            value={tagIds}
            onChange={setTagIds}
            placeholder={action === 'add_tags' ? t('bulk.tagsToAdd') : t('bulk.tagsToRemove')}
            testId="bulk-tags"
          />
        )}
        {run.error ? <Alert type="error" showIcon title={errorMessage(run.error, t)} /> : null}
        {sentence && (
          <Alert type={action === 'remove_tags' ? 'warning' : 'info'} title={sentence} data-testid="bulk-sentence" />
        )}
      </Space>
    </ConfirmJobModal>
  );
}
