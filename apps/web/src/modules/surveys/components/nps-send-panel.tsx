import type { Job, NpsSend } from '@huike/contracts';
import { useQuery } from '@tanstack/react-query';
import { App, Button, type ButtonProps, Card, Form, Input, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { JobProgress } from '../../jobs/components/job-progress.tsx';
import { useSegments } from '../../segments/hooks/use-segments.ts';
import { surveysApi } from '../api/surveys-api.ts';

/** NPS to a segment: pick it, see the exact count, confirm, then watch the job's progress. */
export function NpsSendPanel() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const segments = useSegments();
  const [segmentId, setSegmentId] = useState<string>();
  const [question, setQuestion] = useState('');
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<NpsSend | null>(null);
  const count = useQuery({
    queryKey: ['surveys', 'nps-count', segmentId],
    queryFn: () => surveysApi.countNps(segmentId!),
    enabled: Boolean(segmentId),
  });

  const send = () => {
    const expectedCount = count.data?.count;
    if (!segmentId || expectedCount === undefined) return;
    modal.confirm({
      title: t('surveys.nps.confirmTitle'),
      content: t('surveys.nps.confirmBody', { count: expectedCount }),
      okButtonProps: { 'data-testid': 'nps-confirm' } as ButtonProps,
      onOk: async () => {
        setSending(true);
        try {
          setSent(await surveysApi.sendNps({ segmentId, expectedCount, question: question.trim() || undefined }));
        } catch (error) {
          message.error(errorMessage(error, t));
          void count.refetch();
        } finally {
          setSending(false);
        }
      },
    });
  };

  return (
    <Card style={{ maxWidth: 640 }}>
      <Form layout="vertical">
        <Form.Item label={t('surveys.nps.segment')}>
          <Select
            value={segmentId}
            onChange={(value) => {
              setSegmentId(value);
              setSent(null);
            }}
            placeholder={t('surveys.nps.segmentPlaceholder')}
            loading={segments.isLoading}
            notFoundContent={t('surveys.nps.noSegments')}
            options={(segments.data ?? []).map((segment) => ({ value: segment.id, label: segment.name }))}
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="nps-segment"
          />
        </Form.Item>
        <Form.Item label={t('surveys.nps.question')}>
          <Input value={question} onChange={(event) => setQuestion(event.target.value)} maxLength={200} />
        </Form.Item>
        <Space direction="vertical" style={{ width: '100%' }}>
          {segmentId && (
            <Typography.Text data-testid="nps-count">
              {count.isFetching ? t('surveys.nps.counting') : t('surveys.nps.count', { count: count.data?.count ?? 0 })}
            </Typography.Text>
          )}
          <Button
            type="primary"
            disabled={!segmentId || !count.data || count.data.count === 0 || count.isFetching}
            loading={sending}
            onClick={send}
            data-testid="nps-send"
          >
            {t('surveys.nps.send')}
          </Button>
          {sent && (
            <JobProgress
              jobId={sent.job.id}
              initial={sent.job}
              renderResult={(job: Job) => t('surveys.nps.done', { count: Number(job.result?.created ?? 0) })}
            />
          )}
        </Space>
      </Form>
    </Card>
  );
}
