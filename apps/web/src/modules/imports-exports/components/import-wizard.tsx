import { DownloadOutlined } from '@ant-design/icons';
import type {
  ImportDryRunResult,
  ImportKind,
  ImportMapping,
  ImportUploadResponse,
  Job,
  OrderPlatform,
} from '@huike/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Result, Space, Steps, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../../i18n/index.ts';
import { errorMessage } from '../../../ui/errors.tsx';
import { fileUrl } from '../../jobs/api/jobs-api.ts';
import { JobProgress, resultNumber, resultString } from '../../jobs/components/job-progress.tsx';
import { useDryRun, useRunImport, useUploadImport } from '../hooks/use-imports.ts';
import { DryRunStep } from './dry-run-step.tsx';
import { MappingStep, mappingProblems, needsDefaultPlatform, useTargetFields } from './mapping-step.tsx';
import { UploadStep } from './upload-step.tsx';

type Props = {
  kinds: ImportKind[];
  /** Where 查看客户 goes when the import is done. */
  onViewCustomers: () => void;
};

type Step = 'upload' | 'mapping' | 'dryRun' | 'run' | 'done';
const steps: Step[] = ['upload', 'mapping', 'dryRun', 'run', 'done'];
const n = (value: number) => value.toLocaleString('zh-CN');

/** 上传文件 → 字段映射 → 预检 → 导入 → 完成, for customers or orders. */
export function ImportWizard({ kinds, onViewCustomers }: Props) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [kind, setKind] = useState<ImportKind>(kinds[0] ?? 'customers');
  const [step, setStep] = useState<Step>('upload');
  const [upload, setUpload] = useState<ImportUploadResponse | null>(null);
  const [mapping, setMapping] = useState<ImportMapping>({});
  const [defaultPlatform, setDefaultPlatform] = useState<OrderPlatform>();
  const [dryRun, setDryRun] = useState<ImportDryRunResult | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [finished, setFinished] = useState<Job | null>(null);
  const uploadMutation = useUploadImport();
  const dryRunMutation = useDryRun();
  const runMutation = useRunImport();
  const fields = useTargetFields(kind);
  // Sent only while the mapping step offers the choice: a 平台 column mapped later takes over.
  const platform = needsDefaultPlatform(kind, mapping) ? defaultPlatform : undefined;
  const problems = mappingProblems(mapping, fields, platform);

  const restart = () => {
    setStep('upload');
    setUpload(null);
    setMapping({});
    setDefaultPlatform(undefined);
    setDryRun(null);
    setJob(null);
    setFinished(null);
    uploadMutation.reset();
    dryRunMutation.reset();
    runMutation.reset();
  };

  const onFile = (file: File) => {
    uploadMutation.mutate(
      { kind, file },
      {
        onSuccess: (answer) => {
          setUpload(answer);
          setMapping(answer.suggestedMapping);
          setStep('mapping');
        },
      },
    );
  };

  const runDry = () => {
    if (!upload) return;
    dryRunMutation.mutate(
      { importId: upload.importId, body: { mapping, defaultPlatform: platform } },
      {
        onSuccess: (result) => {
          setDryRun(result);
          setStep('dryRun');
        },
      },
    );
  };

  const runImport = () => {
    if (!upload) return;
    runMutation.mutate(
      // The rejected-rows report is written in the runner's language.
      { importId: upload.importId, body: { mapping, defaultPlatform: platform, locale: currentLanguage() } },
      {
        onSuccess: (started) => {
          setJob(started);
          setStep('run');
        },
      },
    );
  };

  const onFinished = useCallback(
    (done: Job) => {
      if (done.status !== 'succeeded') return;
      setFinished(done);
      setStep('done');
      void client.invalidateQueries({ queryKey: ['customers'] });
    },
    [client],
  );

  const current = steps.indexOf(step);
  const importable = dryRun ? dryRun.create + dryRun.update + dryRun.unchanged : 0;

  return (
    <Card variant="borderless" className="hk-card" data-testid="import-wizard" data-step={step}>
      <Steps
        current={current}
        size="small"
        style={{ marginBottom: 24 }}
        items={steps.map((key) => ({ title: t(`imports.steps.${key}`) }))}
      />

      {step === 'upload' && (
        <UploadStep
          kind={kind}
          kinds={kinds}
          onKind={setKind}
          isUploading={uploadMutation.isPending}
          error={uploadMutation.error}
          onFile={onFile}
        />
      )}

      {step === 'mapping' && upload && (
        <>
          <MappingStep
            kind={kind}
            upload={upload}
            mapping={mapping}
            onChange={setMapping}
            defaultPlatform={defaultPlatform}
            onDefaultPlatform={setDefaultPlatform}
          />
          {dryRunMutation.error ? (
            <Alert type="error" showIcon style={{ marginTop: 12 }} title={errorMessage(dryRunMutation.error, t)} />
          ) : null}
          <div className="hk-wizard-footer">
            <Button onClick={restart}>{t('imports.chooseAnother')}</Button>
            <Button
              type="primary"
              loading={dryRunMutation.isPending}
              disabled={problems.duplicated.length > 0 || problems.mappedCount === 0}
              onClick={runDry}
              data-testid="import-dry-run-button"
            >
              {t('imports.toDryRun')}
            </Button>
          </div>
        </>
      )}

      {step === 'dryRun' && dryRun && (
        <>
          <DryRunStep result={dryRun} />
          {runMutation.error ? (
            <Alert type="error" showIcon style={{ marginTop: 12 }} title={errorMessage(runMutation.error, t)} />
          ) : null}
          {importable === 0 ? (
            <Alert
              type="warning"
              showIcon
              style={{ marginTop: 12 }}
              title={t('imports.nothingToImport')}
              data-testid="import-nothing-to-import"
            />
          ) : null}
          <div className="hk-wizard-footer">
            <Button onClick={() => setStep('mapping')}>{t('imports.backToMapping')}</Button>
            <Button
              type="primary"
              loading={runMutation.isPending}
              disabled={importable === 0}
              onClick={runImport}
              data-testid="import-run-button"
            >
              {dryRun.rejected > 0
                ? t('imports.runSkipping', { count: importable, rejected: dryRun.rejected })
                : t('imports.run', { count: importable })}
            </Button>
          </div>
        </>
      )}

      {step === 'run' && job && (
        <>
          <Typography.Paragraph type="secondary">{t('imports.runningHelp')}</Typography.Paragraph>
          <JobProgress
            jobId={job.id}
            initial={job}
            onFinished={onFinished}
            cancelWarning={(done) => t('imports.cancelWarning', { count: done })}
            renderResult={(ended) => (ended.status === 'cancelled' ? <ImportCancelled job={ended} /> : null)}
          />
          <div className="hk-wizard-footer">
            <Button onClick={restart}>{t('imports.startOver')}</Button>
          </div>
        </>
      )}

      {step === 'done' && finished && <ImportDone job={finished} onViewCustomers={onViewCustomers} onAgain={restart} />}
    </Card>
  );
}

/** What a cancelled import did before it stopped: the rows it committed, and the report of the rejected ones. */
function ImportCancelled({ job }: { job: Job }) {
  const { t } = useTranslation();
  // Cancelled while queued: the result is empty.
  if (job.result?.rowsRead === undefined)
    return <Typography.Text data-testid="import-summary">{t('imports.cancelledBeforeStart')}</Typography.Text>;
  const reportFileId = resultString(job, 'reportFileId');
  return (
    <Space orientation="vertical">
      <Typography.Text data-testid="import-summary">
        {t('imports.cancelledResult', {
          rows: n(resultNumber(job, 'rowsRead')),
          summary: t('imports.summary', {
            created: n(resultNumber(job, 'created')),
            updated: n(resultNumber(job, 'updated')),
            unchanged: n(resultNumber(job, 'unchanged')),
            rejected: n(resultNumber(job, 'rejected')),
          }),
        })}
      </Typography.Text>
      {reportFileId && (
        <Button icon={<DownloadOutlined />} href={fileUrl(reportFileId)} download data-testid="import-report">
          {t('imports.downloadReport')}
        </Button>
      )}
    </Space>
  );
}

function ImportDone({ job, onViewCustomers, onAgain }: { job: Job; onViewCustomers: () => void; onAgain: () => void }) {
  const { t } = useTranslation();
  const rejected = resultNumber(job, 'rejected');
  const reportFileId = resultString(job, 'reportFileId');
  return (
    <Result
      status={rejected > 0 ? 'warning' : 'success'}
      title={rejected > 0 ? t('imports.doneWithRejected') : t('imports.done')}
      subTitle={
        <span data-testid="import-summary">
          {t('imports.summary', {
            created: n(resultNumber(job, 'created')),
            updated: n(resultNumber(job, 'updated')),
            unchanged: n(resultNumber(job, 'unchanged')),
            rejected: n(rejected),
          })}
        </span>
      }
      extra={
        <Space wrap>
          {reportFileId && (
            <Button icon={<DownloadOutlined />} href={fileUrl(reportFileId)} download data-testid="import-report">
              {t('imports.downloadReport')}
            </Button>
          )}
          <Button onClick={onAgain}>{t('imports.again')}</Button>
          <Button type="primary" onClick={onViewCustomers} data-testid="import-view-customers">
            {t('imports.viewCustomers')}
          </Button>
        </Space>
      }
    />
  );
}
