import type { Job } from '@huike/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Modal, Skeleton, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { JobProgress, resultNumber } from '../modules/jobs/components/job-progress.tsx';
import {
  CustomerValueForm,
  fromFormValues,
  toFormValues,
  type ValueFormValues,
} from '../modules/orders/components/customer-value-form.tsx';
import { useRecomputeValue, useSaveValueSettings, useValueSettings } from '../modules/orders/hooks/use-orders.ts';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 客户价值: how RFM tiers and lifecycle stages are computed, and when a profile counts as out of date. */
export function SettingsCustomerValuePage() {
  const { t } = useTranslation();
  useDocumentTitle(t('valueSettings.title'));
  const { message } = App.useApp();
  const client = useQueryClient();
  const can = useCan();
  const canManage = can('workspace:manage');
  const settings = useValueSettings();
  const save = useSaveValueSettings();
  const recompute = useRecomputeValue();
  const [form] = Form.useForm<ValueFormValues>();
  const [isDirty, setDirty] = useState(false);
  const [offerRecompute, setOfferRecompute] = useState(false);
  const [job, setJob] = useState<Job | null>(null);

  useEffect(() => {
    if (settings.data) {
      form.setFieldsValue(toFormValues(settings.data));
      setDirty(false);
    }
  }, [settings.data, form]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    save.mutate(fromFormValues(values), {
      onSuccess: () => {
        setDirty(false);
        setOfferRecompute(true);
        void message.success(t('valueSettings.savedDone'));
      },
    });
  };

  const startRecompute = () =>
    recompute.mutate(undefined, {
      onSuccess: (started) => {
        setOfferRecompute(false);
        setJob(started);
      },
      onError: (error) => void message.error(errorMessage(error, t)),
    });

  return (
    <div className="hk-page">
      <PageHeader
        title={t('valueSettings.title')}
        subtitle={t('valueSettings.subtitle')}
        extra={
          canManage && (
            <Space>
              <Button onClick={startRecompute} loading={recompute.isPending} data-testid="value-recompute">
                {t('valueSettings.recompute')}
              </Button>
              <Button
                type="primary"
                onClick={() => void submit()}
                loading={save.isPending}
                disabled={!isDirty}
                data-testid="value-save"
              >
                {t('common.save')}
              </Button>
            </Space>
          )
        }
      />
      {!canManage && <Alert type="info" showIcon title={t('valueSettings.readOnly')} style={{ marginBottom: 12 }} />}
      {save.error ? (
        <Alert type="error" showIcon title={errorMessage(save.error, t)} style={{ marginBottom: 12 }} />
      ) : null}
      {offerRecompute && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('valueSettings.savedOffer')}
          data-testid="recompute-offer"
          action={
            <Space>
              <Button size="small" type="primary" onClick={startRecompute} loading={recompute.isPending}>
                {t('valueSettings.recomputeNow')}
              </Button>
              <Button size="small" onClick={() => setOfferRecompute(false)}>
                {t('valueSettings.later')}
              </Button>
            </Space>
          }
        />
      )}
      {settings.isPending ? (
        <Skeleton active paragraph={{ rows: 10 }} />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <CustomerValueForm form={form} disabled={!canManage} onChange={() => setDirty(true)} />
      )}
      <Modal
        open={job !== null}
        title={t('valueSettings.recomputeTitle')}
        onCancel={() => setJob(null)}
        footer={<Button onClick={() => setJob(null)}>{t('jobs.close')}</Button>}
      >
        {job && (
          <JobProgress
            jobId={job.id}
            initial={job}
            onFinished={(finished) => {
              if (finished.status === 'succeeded') void client.invalidateQueries({ queryKey: ['customers'] });
            }}
            renderResult={(finished) => (
              <span data-testid="recompute-result">
                {t('valueSettings.recomputeDone', {
                  changed: resultNumber(finished, 'updated'),
                  total: resultNumber(finished, 'scanned'),
                })}
              </span>
            )}
          />
        )}
      </Modal>
    </div>
  );
}
