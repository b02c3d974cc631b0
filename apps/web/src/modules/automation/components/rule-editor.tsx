import { ExperimentOutlined } from '@ant-design/icons';
import type {
  AutomationAction,
  AutomationConditionGroup,
  AutomationDryRunResult,
  AutomationRule,
  AutomationTrigger,
  AutomationTriggerType,
} from '@huike/contracts';
import { automationTriggerTypes } from '@huike/contracts';
import { Alert, App, Button, Divider, Form, Input, InputNumber, List, Select, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import { GuardedFormDrawer } from '../../../ui/guarded-form-drawer.tsx';
import { useCan } from '../../identity/hooks/use-session.ts';
import { TagSelect } from '../../segments/components/tag-select.tsx';
import { useSegments } from '../../segments/hooks/use-segments.ts';
import { useDryRun, useSaveRule } from '../hooks/use-automation.ts';
import { conditionOutcomesText } from '../labels.ts';
import { hasRuleErrors, type RuleErrors, serverRuleErrors, validateRule } from '../rule-validation.ts';
import { ActionListEditor } from './action-editor.tsx';
import { ConditionGroupEditor } from './condition-editor.tsx';
import '../automation.css';

export type RuleDraft = {
  name: string;
  description: string;
  enabled: boolean;
  trigger: AutomationTrigger;
  conditions: AutomationConditionGroup;
  actions: AutomationAction[];
};

export const emptyDraft = (): RuleDraft => ({
  name: '',
  description: '',
  enabled: true,
  trigger: { type: 'message.created', direction: 'inbound' },
  conditions: { op: 'and', conditions: [] },
  actions: [],
});

function defaultTrigger(type: AutomationTriggerType): AutomationTrigger {
  switch (type) {
    case 'message.created':
      return { type, direction: 'inbound' };
    case 'time.no_agent_reply':
    case 'time.no_customer_reply':
      return { type, minutes: 10 };
    case 'schedule':
      return { type, frequency: 'daily', time: '09:00', target: { kind: 'open_conversations' } };
    default:
      return { type } as AutomationTrigger;
  }
}

/** Triggers other rules' actions can cause: their events are never run (loop policy), which the editor says. */
const loopTriggers: readonly AutomationTriggerType[] = [
  'ticket.created',
  'conversation.updated',
  'conversation.resolved',
  'customer.tag_added',
  'conversation.tag_added',
];

function TriggerEditor({
  trigger,
  onChange,
  invalid,
}: {
  trigger: AutomationTrigger;
  onChange: (next: AutomationTrigger) => void;
  /** The trigger's own value (minutes, time) has a problem, said under the row: mark its field. */
  invalid?: boolean;
}) {
  const { t } = useTranslation();
  const segments = useSegments();
  const set = (patch: Record<string, unknown>) => onChange({ ...trigger, ...patch } as AutomationTrigger);
  return (
    <Space wrap align="start">
      <Select<AutomationTriggerType>
        value={trigger.type}
        onChange={(type) => onChange(defaultTrigger(type))}
        options={automationTriggerTypes.map((type) => ({ value: type, label: t(`automation.triggers.${type}`) }))}
        style={{ width: 240 }}
        data-testid="trigger-type"
      />
      {trigger.type === 'message.created' && (
        <Select
          value={trigger.direction}
          onChange={(direction) => set({ direction })}
          options={(['inbound', 'outbound', 'any'] as const).map((value) => ({
            value,
            label: t(`automation.directions.${value}`),
          }))}
          style={{ width: 130 }}
        />
      )}
      {(trigger.type === 'customer.tag_added' || trigger.type === 'conversation.tag_added') && (
        <div style={{ minWidth: 200 }}>
          <TagSelect
            value={trigger.tagId ? [trigger.tagId] : []}
            onChange={(value) => set({ tagId: value.at(-1) })}
            placeholder={t('automation.anyTag')}
          />
        </div>
      )}
      {(trigger.type === 'time.no_agent_reply' || trigger.type === 'time.no_customer_reply') && (
        // Not clamped: what was typed stays (also empty or out of range) and validateRule says what is wrong.
        <InputNumber<number>
          value={trigger.minutes}
          onChange={(minutes) => set({ minutes })}
          addonAfter={t('automation.minutes')}
          status={invalid ? 'error' : undefined}
          aria-invalid={invalid || undefined}
          data-testid="trigger-minutes"
        />
      )}
      {trigger.type === 'schedule' && (
        <>
          <Select
            value={trigger.frequency}
            onChange={(frequency) =>
              set({ frequency, weekday: frequency === 'weekly' ? (trigger.weekday ?? 1) : undefined })
            }
            options={(['daily', 'weekly'] as const).map((value) => ({
              value,
              label: t(`automation.frequency.${value}`),
            }))}
            style={{ width: 90 }}
          />
          {trigger.frequency === 'weekly' && (
            <Select
              value={String(trigger.weekday ?? 1)}
              onChange={(weekday) => set({ weekday: Number(weekday) })}
              options={(['1', '2', '3', '4', '5', '6', '7'] as const).map((value) => ({
                value,
                label: t(`automation.weekdays.${value}`),
              }))}
              style={{ width: 80 }}
            />
          )}
          <Input
            value={trigger.time}
            onChange={(event) => set({ time: event.target.value })}
            placeholder="09:00"
            status={invalid ? 'error' : undefined}
            aria-invalid={invalid || undefined}
            style={{ width: 80 }}
          />
          <Select
            value={trigger.target.kind === 'segment' ? trigger.target.segmentId : '__open'}
            onChange={(value: string) =>
              set({
                target: value === '__open' ? { kind: 'open_conversations' } : { kind: 'segment', segmentId: value },
              })
            }
            options={[
              { value: '__open', label: t('automation.targetOpen') },
              ...(segments.data ?? []).map((segment) => ({
                value: segment.id,
                label: `${t('automation.targetSegment')}${t('common.colon')}${segment.name}`,
              })),
            ]}
            style={{ width: 220 }}
          />
        </>
      )}
    </Space>
  );
}

function DryRunSamples({
  header,
  samples,
  testId,
}: {
  header: string;
  samples: AutomationDryRunResult['samples'];
  testId: string;
}) {
  const { t } = useTranslation();
  if (samples.length === 0) return null;
  return (
    <List
      size="small"
      header={header}
      dataSource={samples}
      data-testid={testId}
      renderItem={(sample) => (
        <List.Item>
          <div>
            <Typography.Text type="secondary">{new Date(sample.at).toLocaleString()}</Typography.Text>
            <span style={{ marginLeft: 12 }}>{sample.summary}</span>
            <div className="hk-muted" style={{ fontSize: 12 }}>
              {conditionOutcomesText(sample.conditions, t)}
            </div>
          </div>
        </List.Item>
      )}
    />
  );
}

function DryRunResult({ result }: { result: AutomationDryRunResult }) {
  const { t } = useTranslation();
  return (
    <Alert
      type={result.problems.length > 0 ? 'warning' : 'info'}
      showIcon
      data-testid="dry-run-result"
      title={t('automation.dryRunResult', { count: result.wouldFire })}
      description={
        <div>
          <Typography.Text type="secondary">
            {t('automation.dryRunExamined', { count: result.examined })}
            {result.truncated ? `；${t('automation.dryRunTruncated')}` : ''}
          </Typography.Text>
          {result.problems.length > 0 && <div>{result.problems.join('；')}</div>}
          <DryRunSamples header={t('automation.dryRunSamples')} samples={result.samples} testId="dry-run-samples" />
          <DryRunSamples header={t('automation.dryRunMisses')} samples={result.misses} testId="dry-run-misses" />
        </div>
      }
    />
  );
}

/** A section's problem, under its 当… / 如果… / 那么… editor. */
function SectionError({ message, testId }: { message?: string; testId: string }) {
  if (!message) return null;
  return (
    <div className="hk-automation-section-error" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}

type Props = { rule?: AutomationRule; initial?: RuleDraft; onClose: () => void };

/** The rule editor: 当…(trigger) / 如果…(conditions) / 那么…(actions), with a dry run over the last 7 days. */
export function RuleEditor({ rule, initial, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const [start] = useState<RuleDraft>(
    () =>
      initial ??
      (rule
        ? {
            name: rule.name,
            description: rule.description,
            enabled: rule.enabled,
            trigger: rule.trigger,
            conditions: rule.conditions,
            actions: rule.actions,
          }
        : emptyDraft()),
  );
  const [draft, setDraft] = useState<RuleDraft>(start);
  // Problems show once 创建 / 保存 was tried, and then follow the edits (a fixed field loses its message at once).
  const [showProblems, setShowProblems] = useState(false);
  const save = useSaveRule();
  const dryRun = useDryRun();
  const set = (patch: Partial<RuleDraft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    dryRun.reset();
    save.reset();
  };
  const local = validateRule(draft, t);
  const fromServer = serverRuleErrors(save.error);
  const problems: RuleErrors = showProblems ? local : { actionRows: {} };
  const errors: RuleErrors = fromServer
    ? {
        ...fromServer,
        ...Object.fromEntries(Object.entries(problems).filter(([key, value]) => key !== 'actionRows' && value)),
        actionRows: { ...fromServer.actionRows, ...problems.actionRows },
      }
    : problems;
  const fieldStatus = (message?: string) =>
    message ? { validateStatus: 'error' as const, help: message } : { validateStatus: undefined, help: undefined };

  const submit = () => {
    if (hasRuleErrors(local)) {
      setShowProblems(true);
      return;
    }
    save.mutate(
      { id: rule?.id, body: draft },
      {
        onSuccess: () => {
          void message.success(t('automation.saved'));
          onClose();
        },
      },
    );
  };

  return (
    <GuardedFormDrawer
      open
      size={860}
      title={rule ? t('automation.editRule') : t('automation.newRule')}
      submitLabel={rule ? t('automation.save') : t('automation.create')}
      submitTestId="rule-submit"
      isSubmitting={save.isPending}
      error={fromServer ? null : save.error}
      onSubmit={submit}
      onClose={onClose}
      isDirty={() => JSON.stringify(draft) !== JSON.stringify(start)}
    >
      <Form layout="vertical">
        <Form.Item label={t('automation.name')} required {...fieldStatus(errors.name)}>
          <Input
            value={draft.name}
            onChange={(event) => set({ name: event.target.value })}
            maxLength={100}
            status={errors.name ? 'error' : undefined}
            data-testid="rule-name"
          />
        </Form.Item>
        <Form.Item label={t('automation.description')} {...fieldStatus(errors.description)}>
          <Input
            value={draft.description}
            onChange={(event) => set({ description: event.target.value })}
            maxLength={500}
          />
        </Form.Item>
        <Typography.Title level={5} className="hk-automation-section">
          {t('automation.whenLabel')}
        </Typography.Title>
        <TriggerEditor
          trigger={draft.trigger}
          onChange={(trigger) => set({ trigger })}
          invalid={Boolean(errors.trigger)}
        />
        {loopTriggers.includes(draft.trigger.type) && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }} data-testid="rule-loop-help">
            {t('automation.loopHelp')}
          </Typography.Paragraph>
        )}
        <SectionError message={errors.trigger} testId="rule-trigger-error" />
        <Typography.Title level={5} className="hk-automation-section">
          {t('automation.ifLabel')}
        </Typography.Title>
        <ConditionGroupEditor group={draft.conditions} onChange={(conditions) => set({ conditions })} />
        <SectionError message={errors.conditions} testId="rule-conditions-error" />
        <Typography.Title level={5} className="hk-automation-section">
          {t('automation.thenLabel')}
        </Typography.Title>
        <ActionListEditor actions={draft.actions} onChange={(actions) => set({ actions })} errors={errors.actionRows} />
        <SectionError message={errors.actions} testId="rule-actions-error" />
        {rule?.webhookSecret && draft.actions.some((action) => action.type === 'webhook') && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
            {t('automation.webhookSecret')}
            {t('common.colon')}
            <Typography.Text code>{rule.webhookSecret}</Typography.Text> <CopyButton text={rule.webhookSecret} />
          </Typography.Paragraph>
        )}
        <Divider />
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space>
            <Form.Item label={t('automation.enabled')} style={{ marginBottom: 0 }}>
              <Switch checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
            </Form.Item>
            {can('automation:read') && (
              <Button
                icon={<ExperimentOutlined />}
                loading={dryRun.isPending}
                onClick={() => dryRun.mutate({ rule: draft })}
                data-testid="rule-dry-run"
              >
                {t('automation.dryRun')}
              </Button>
            )}
            <Typography.Text type="secondary">{t('automation.dryRunHelp')}</Typography.Text>
          </Space>
          {dryRun.data && <DryRunResult result={dryRun.data} />}
          {dryRun.error && <Alert type="error" showIcon title={errorMessage(dryRun.error, t)} />}
        </Space>
      </Form>
    </GuardedFormDrawer>
  );
}
