import { QuestionCircleOutlined } from '@ant-design/icons';
import type { SurveyKind, SurveyResponse, SurveySummaryQuery } from '@huike/contracts';
import { Card, Col, DatePicker, Rate, Row, Select, Space, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CursorPager, useCursorPages } from '../../../ui/cursor-pager.tsx';
import { EmptyState } from '../../../ui/empty-state.tsx';
import { ErrorState } from '../../../ui/error-state.tsx';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { useUsers } from '../../identity/hooks/use-users.ts';
import type { ResponseFilters } from '../api/surveys-api.ts';
import { useSurveyResponses, useSurveySummary } from '../hooks/use-surveys.ts';

type ScoreBand = 'all' | 'low' | 'high';

const scoreRange = (kind: SurveyKind | undefined, band: ScoreBand): Pick<ResponseFilters, 'minScore' | 'maxScore'> => {
  if (band === 'all') return {};
  if (kind === 'nps') return band === 'low' ? { maxScore: 6 } : { minScore: 9 };
  return band === 'low' ? { maxScore: 2 } : { minScore: 4 };
};

type FigureProps = { title: string; tip: string; value: string | number; footer: string; testId: string };

function Figure({ title, tip, value, footer, testId }: FigureProps) {
  return (
    <Card size="small" data-testid={testId}>
      <Statistic
        title={
          <Space size={4}>
            {title}
            <Tooltip title={tip}>
              <QuestionCircleOutlined />
            </Tooltip>
          </Space>
        }
        value={value}
      />
      <Typography.Text type="secondary">{footer}</Typography.Text>
    </Card>
  );
}

/** The summary figures and the responses table, with kind / score / agent / period filters. */
export function SurveyResponses() {
  const { t } = useTranslation();
  const users = useUsers();
  const [kind, setKind] = useState<SurveyKind | undefined>();
  const [band, setBand] = useState<ScoreBand>('all');
  const [agentId, setAgentId] = useState<string | undefined>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const pages = useCursorPages();

  const period: SurveySummaryQuery = useMemo(
    () => ({
      agentId,
      from: range?.[0]?.startOf('day').toISOString(),
      to: range?.[1]?.endOf('day').add(1, 'millisecond').toISOString(),
    }),
    [agentId, range],
  );
  const filters: ResponseFilters = { ...period, kind, ...scoreRange(kind, band) };
  const summary = useSurveySummary(period);
  const responses = useSurveyResponses(filters, pages.pageSize, pages.cursor);
  const none = t('surveys.summary.none');
  const percent = (value: number | null | undefined) => (value === null || value === undefined ? none : `${value}%`);
  const s = summary.data;

  const changed =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      pages.reset();
    };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Row gutter={[12, 12]} data-testid="survey-summary">
        <Col xs={12} md={6}>
          <Figure
            title={t('surveys.summary.csatAverage')}
            tip={t('surveys.summary.averageTip')}
            value={s?.csat.average ?? none}
            testId="csat-average"
            footer={t('surveys.summary.responses', { count: s?.csat.responses ?? 0 })}
          />
        </Col>
        <Col xs={12} md={6}>
          <Figure
            title={t('surveys.summary.satisfied')}
            tip={t('surveys.summary.satisfiedTip')}
            value={percent(s?.csat.satisfiedRate)}
            testId="csat-satisfied"
            footer={`${t('surveys.summary.csatResponseRate')} ${percent(s?.csat.responseRate)}`}
          />
        </Col>
        <Col xs={12} md={6}>
          <Figure
            title={t('surveys.summary.npsScore')}
            tip={t('surveys.summary.npsTip')}
            value={s?.nps.score ?? none}
            testId="nps-score"
            footer={t('surveys.summary.npsBreakdown', {
              promoters: s?.nps.promoters ?? 0,
              passives: s?.nps.passives ?? 0,
              detractors: s?.nps.detractors ?? 0,
            })}
          />
        </Col>
        <Col xs={12} md={6}>
          <Figure
            title={t('surveys.summary.npsResponseRate')}
            tip={t('surveys.summary.responseRateTip')}
            value={percent(s?.nps.responseRate)}
            testId="nps-response-rate"
            footer={t('surveys.summary.sent', { count: s?.nps.sent ?? 0 })}
          />
        </Col>
      </Row>

      <Space wrap>
        <Select<SurveyKind | 'all'>
          value={kind ?? 'all'}
          onChange={changed((value: SurveyKind | 'all') => setKind(value === 'all' ? undefined : value))}
          style={{ width: 140 }}
          options={[
            { value: 'all', label: t('surveys.filters.allKinds') },
            { value: 'csat', label: t('surveys.kinds.csat') },
            { value: 'nps', label: t('surveys.kinds.nps') },
          ]}
          data-testid="survey-filter-kind"
        />
        <Select<ScoreBand>
          value={band}
          onChange={changed(setBand)}
          style={{ width: 120 }}
          options={[
            { value: 'all', label: t('surveys.filters.allScores') },
            { value: 'low', label: t('surveys.filters.low') },
            { value: 'high', label: t('surveys.filters.high') },
          ]}
        />
        <Select<string>
          allowClear
          value={agentId}
          onChange={changed(setAgentId)}
          placeholder={t('surveys.filters.allAgents')}
          style={{ width: 160 }}
          options={(users.data ?? []).map((user) => ({ value: user.id, label: user.name }))}
          showSearch={{ optionFilterProp: 'label' }}
        />
        <DatePicker.RangePicker value={range} onChange={changed(setRange)} />
      </Space>

      {responses.isError ? (
        <ErrorState error={responses.error} onRetry={() => responses.refetch()} />
      ) : (
        <div data-testid="survey-responses">
          <Table<SurveyResponse>
            rowKey="id"
            size="middle"
            loading={responses.isLoading}
            dataSource={responses.data?.items ?? []}
            pagination={false}
            locale={{
              emptyText: <EmptyState title={t('surveys.emptyTitle')} description={t('surveys.emptyDescription')} />,
            }}
            columns={[
              {
                title: t('surveys.columns.answeredAt'),
                dataIndex: 'answeredAt',
                width: 120,
                render: (iso: string) => <RelativeTime iso={iso} />,
              },
              {
                title: t('surveys.columns.kind'),
                dataIndex: 'kind',
                width: 110,
                render: (value: SurveyKind) => <Tag>{t(`surveys.kinds.${value}`)}</Tag>,
              },
              {
                title: t('surveys.columns.score'),
                dataIndex: 'score',
                width: 150,
                render: (score: number, row) =>
                  row.kind === 'csat' ? (
                    <Rate disabled value={score} style={{ fontSize: 14 }} />
                  ) : (
                    <Tag color={score >= 9 ? 'green' : score <= 6 ? 'red' : 'default'}>{score}</Tag>
                  ),
              },
              {
                title: t('surveys.columns.comment'),
                dataIndex: 'comment',
                render: (comment: string | null) => comment ?? <Typography.Text type="secondary">—</Typography.Text>,
              },
              {
                title: t('surveys.columns.customer'),
                dataIndex: 'customerName',
                width: 140,
                render: (name: string | null, row) => <Link to={`/customers/${row.customerId}`}>{name ?? '—'}</Link>,
              },
              { title: t('surveys.columns.agent'), dataIndex: 'agentName', width: 120, render: (v) => v ?? '—' },
              {
                title: t('surveys.columns.followUp'),
                dataIndex: 'followUpTicketId',
                width: 110,
                render: (id: string | null) =>
                  id ? <Link to={`/tickets/${id}`}>{t('surveys.followUpCreated')}</Link> : '—',
              },
            ]}
          />
          <CursorPager {...pages.pagerProps(responses.data)} />
        </div>
      )}
    </Space>
  );
}
