import { DownloadOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import type { ServiceReport, ServiceReportQuery } from '@huike/contracts';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  List,
  Row,
  Select,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import type { EChartsOption } from 'echarts';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { workspaceToday } from '../../../ui/time.ts';
import { useTeams, useUsers } from '../../identity/hooks/use-users.ts';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { reportsApi } from '../api/reports-api.ts';
import { useServiceReport } from '../hooks/use-service-report.ts';
import { EChart } from './echart.tsx';
import { formatCount, formatDuration, formatPercent } from './format.ts';

type Preset = 'today' | 'last7' | 'last30' | 'thisMonth';
const DAY = 'YYYY-MM-DD';

/** Days are the workspace's, as the server counts them: at 01:00 in Shanghai a browser in UTC still includes today. */
function presetRange(preset: Preset): [Dayjs, Dayjs] {
  const today = workspaceToday();
  if (preset === 'today') return [today, today];
  if (preset === 'last7') return [today.subtract(6, 'day'), today];
  if (preset === 'last30') return [today.subtract(29, 'day'), today];
  return [today.startOf('month'), today];
}

type DefinitionKey = keyof ReturnType<typeof useDefinitions>;
const useDefinitions = () => {
  const { t } = useTranslation();
  return t('reports.definitions', { returnObjects: true });
};

function Kpi({
  metric,
  title,
  value,
  footer,
  testId,
}: {
  metric: DefinitionKey;
  title: string;
  value: string;
  footer?: string;
  testId: string;
}) {
  const definitions = useDefinitions();
  return (
    <Card size="small" variant="borderless" className="hk-card" data-testid={testId}>
      <Statistic
        title={
          <Space size={4}>
            {title}
            <Tooltip title={definitions[metric]}>
              <QuestionCircleOutlined style={{ color: 'rgba(0,0,0,0.35)' }} aria-label={definitions[metric]} />
            </Tooltip>
          </Space>
        }
        value={value}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {footer ?? '\u00a0'}
      </Typography.Text>
    </Card>
  );
}

function KpiCards({ report }: { report: ServiceReport }) {
  const { t } = useTranslation();
  const k = report.kpis;
  const d = (s: number | null) => formatDuration(s, t);
  const cards = [
    { metric: 'conversations', value: formatCount(k.conversations, t), testId: 'kpi-conversations' },
    { metric: 'resolved', value: formatCount(k.conversationsResolved, t), testId: 'kpi-resolved' },
    {
      metric: 'firstResponse',
      value: d(k.firstResponse.median),
      footer: `${t('reports.kpi.p90', { value: d(k.firstResponse.p90) })} · ${t('reports.kpi.business', { value: d(k.firstResponse.businessMedian) })}`,
      testId: 'kpi-first-response',
    },
    {
      metric: 'replyTime',
      value: d(k.replyTime.median),
      footer: t('reports.kpi.p90', { value: d(k.replyTime.p90) }),
      testId: 'kpi-reply-time',
    },
    {
      metric: 'resolution',
      value: d(k.resolution.median),
      footer: `${t('reports.kpi.p90', { value: d(k.resolution.p90) })} · ${t('reports.kpi.business', { value: d(k.resolution.businessMedian) })}`,
      testId: 'kpi-resolution',
    },
    {
      metric: 'fcr',
      value: formatPercent(k.fcr.rate),
      footer: t('reports.kpi.ofResolved', { count: k.fcr.resolved }),
      testId: 'kpi-fcr',
    },
    { metric: 'repeat', value: formatPercent(k.repeatInquiry.rate), testId: 'kpi-repeat' },
    {
      metric: 'sla',
      value: formatPercent(k.sla.rate),
      footer: t('reports.kpi.ofTickets', { count: k.sla.breaches, met: k.sla.met, missed: k.sla.missed }),
      testId: 'kpi-sla',
    },
    {
      metric: 'botResolution',
      value: formatPercent(k.bot.resolutionRate),
      footer: t('reports.kpi.ofBot', { count: k.bot.engaged }),
      testId: 'kpi-bot-resolution',
    },
    { metric: 'botHandOff', value: formatPercent(k.bot.handOffRate), testId: 'kpi-bot-handoff' },
    {
      metric: 'csat',
      value: k.csat.average === null ? '—' : k.csat.average.toFixed(2),
      footer:
        k.csat.responses === 0
          ? t('reports.kpi.noCsat')
          : `${t('reports.kpi.satisfied', { value: formatPercent(k.csat.satisfiedRate) })} · ${t('reports.kpi.responses', { count: k.csat.responses })}`,
      testId: 'kpi-csat',
    },
    {
      metric: 'nps',
      value: k.nps.score === null ? '—' : String(k.nps.score),
      footer: k.nps.responses === 0 ? t('reports.kpi.noNps') : t('reports.kpi.responses', { count: k.nps.responses }),
      testId: 'kpi-nps',
    },
    { metric: 'tickets', value: formatCount(k.ticketsCreated, t), testId: 'kpi-tickets' },
    { metric: 'urgent', value: formatCount(k.urgentMessages, t), testId: 'kpi-urgent' },
  ] as const;
  return (
    <Row gutter={[12, 12]}>
      {cards.map((card) => (
        <Col key={card.metric} xs={12} md={8} xl={6} xxl={4}>
          <Kpi
            metric={card.metric}
            title={t(`reports.kpi.${card.metric}`)}
            value={card.value}
            footer={'footer' in card ? card.footer : undefined}
            testId={card.testId}
          />
        </Col>
      ))}
    </Row>
  );
}

function Charts({ report }: { report: ServiceReport }) {
  const { t } = useTranslation();
  const weekdays = t('reports.charts.weekdays', { returnObjects: true }) as string[];
  const trend = useMemo<EChartsOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 50, top: 36, bottom: 24 },
      xAxis: { type: 'category', data: report.daily.map((d) => d.date.slice(5)) },
      yAxis: [
        // Conversations and tickets are counts: no 0.2 of a conversation on the axis.
        { type: 'value', minInterval: 1 },
        { type: 'value', name: t('reports.charts.firstResponse'), splitLine: { show: false } },
      ],
      series: [
        { name: t('reports.charts.conversations'), type: 'bar', data: report.daily.map((d) => d.conversations) },
        { name: t('reports.charts.resolved'), type: 'bar', data: report.daily.map((d) => d.resolved) },
        { name: t('reports.charts.tickets'), type: 'line', data: report.daily.map((d) => d.tickets) },
        {
          name: t('reports.charts.firstResponse'),
          type: 'line',
          yAxisIndex: 1,
          smooth: true,
          data: report.daily.map((d) => d.firstResponseMedian),
        },
      ],
    }),
    [report, t],
  );
  const heatmap = useMemo<EChartsOption>(() => {
    const max = Math.max(1, ...report.heatmap.map((c) => c.conversations + c.tickets));
    return {
      tooltip: { position: 'top' },
      grid: { left: 50, right: 16, top: 8, bottom: 60 },
      xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => `${h}`), splitArea: { show: true } },
      yAxis: { type: 'category', data: weekdays, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max, precision: 0, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
      series: [
        {
          type: 'heatmap',
          data: report.heatmap.map((c) => [c.hour, c.weekday - 1, c.conversations + c.tickets]),
          label: { show: false },
        },
      ],
    };
  }, [report, weekdays]);
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24} xl={14}>
        <Card size="small" variant="borderless" className="hk-card" title={t('reports.charts.trend')}>
          <EChart option={trend} testId="chart-trend" />
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card size="small" variant="borderless" className="hk-card" title={t('reports.charts.heatmap')}>
          <EChart option={heatmap} testId="chart-heatmap" />
        </Card>
      </Col>
    </Row>
  );
}

function Tables({ report }: { report: ServiceReport }) {
  const { t } = useTranslation();
  const categoryLabel = (key: string) =>
    t(`reports.categories.${key}` as 'reports.categories.other', { defaultValue: key });
  const ranked = (items: { label: string; count: number }[], testId: string) =>
    items.length === 0 ? (
      <Typography.Text type="secondary">{t('reports.noItems')}</Typography.Text>
    ) : (
      <List
        size="small"
        data-testid={testId}
        dataSource={items}
        renderItem={(item, i) => (
          <List.Item extra={<span>{item.count.toLocaleString()}</span>}>
            <Space>
              <Tag color={i < 3 ? 'volcano' : undefined}>{i + 1}</Tag>
              {item.label}
            </Space>
          </List.Item>
        )}
      />
    );
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24} xl={12}>
        <Card size="small" variant="borderless" className="hk-card" title={t('reports.leaderboard.title')}>
          <Table
            size="small"
            rowKey="agentId"
            pagination={false}
            data-testid="leaderboard"
            locale={{ emptyText: t('reports.leaderboard.empty') }}
            dataSource={report.leaderboard}
            columns={[
              { title: t('reports.leaderboard.agent'), dataIndex: 'name' },
              { title: t('reports.leaderboard.resolved'), dataIndex: 'resolved', align: 'right' },
              {
                title: t('reports.leaderboard.firstResponse'),
                dataIndex: 'firstResponseMedian',
                align: 'right',
                render: (value: number | null) => formatDuration(value, t),
              },
              {
                title: t('reports.leaderboard.csat'),
                dataIndex: 'csatAverage',
                align: 'right',
                render: (value: number | null, row) =>
                  value === null ? '—' : `${value.toFixed(2)}（${row.csatResponses}）`,
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} md={12} xl={6}>
        <Card size="small" variant="borderless" className="hk-card" title={t('reports.topCategories')}>
          {ranked(
            report.topCategories.map((c) => ({ label: categoryLabel(c.category), count: c.count })),
            'top-categories',
          )}
        </Card>
      </Col>
      <Col xs={24} md={12} xl={6}>
        <Card size="small" variant="borderless" className="hk-card" title={t('reports.topKeywords')}>
          {ranked(
            report.topKeywords.map((k) => ({ label: k.keyword, count: k.count })),
            'top-keywords',
          )}
        </Card>
      </Col>
    </Row>
  );
}

/** 数据: filter bar, KPI cards with definitions, trend and heatmap charts, leaderboard, top categories and keywords. */
export function ServiceDashboard() {
  const { t } = useTranslation();
  const [preset, setPreset] = useState<Preset | null>('last7');
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => presetRange('last7'));
  const [inboxId, setInboxId] = useState<string>();
  const [teamId, setTeamId] = useState<string>();
  const [agentId, setAgentId] = useState<string>();
  const inboxes = useInboxes();
  const teams = useTeams();
  const users = useUsers();
  const query: ServiceReportQuery = {
    from: range[0].format(DAY),
    to: range[1].format(DAY),
    inboxId,
    teamId,
    agentId,
  };
  const includesToday = query.to >= workspaceToday().format(DAY);
  const report = useServiceReport(query, includesToday);
  const data = report.data;
  const isEmpty =
    data &&
    data.kpis.conversations === 0 &&
    data.kpis.ticketsCreated === 0 &&
    data.kpis.csat.responses === 0 &&
    data.kpis.nps.responses === 0;

  const presets: Preset[] = ['today', 'last7', 'last30', 'thisMonth'];
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Card size="small" variant="borderless" className="hk-card">
        <Space wrap>
          <Space.Compact>
            {presets.map((p) => (
              <Button
                key={p}
                type={preset === p ? 'primary' : 'default'}
                data-testid={`range-${p}`}
                onClick={() => {
                  setPreset(p);
                  setRange(presetRange(p));
                }}
              >
                {t(`reports.filters.${p}`)}
              </Button>
            ))}
          </Space.Compact>
          <DatePicker.RangePicker
            allowClear={false}
            value={range}
            disabledDate={(day) => day.isAfter(workspaceToday(), 'day')}
            onChange={(value) => {
              if (value?.[0] && value[1]) {
                setPreset(null);
                setRange([value[0], value[1]]);
              }
            }}
          />
          <Select
            allowClear
            style={{ minWidth: 140 }}
            placeholder={t('reports.filters.inbox')}
            value={inboxId}
            onChange={setInboxId}
            data-testid="filter-inbox"
            options={(inboxes.data ?? []).map((inbox) => ({ value: inbox.id, label: inbox.name }))}
          />
          <Select
            allowClear
            style={{ minWidth: 120 }}
            placeholder={t('reports.filters.team')}
            value={teamId}
            onChange={setTeamId}
            data-testid="filter-team"
            options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
          />
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ minWidth: 140 }}
            placeholder={t('reports.filters.agent')}
            value={agentId}
            onChange={setAgentId}
            data-testid="filter-agent"
            options={(users.data ?? []).map((user) => ({ value: user.id, label: user.name }))}
          />
          <Button icon={<DownloadOutlined />} href={reportsApi.exportUrl(query, 'xlsx')} data-testid="export-xlsx">
            {t('reports.export.xlsx')}
          </Button>
          <Button icon={<DownloadOutlined />} href={reportsApi.exportUrl(query, 'pdf')} data-testid="export-pdf">
            {t('reports.export.pdf')}
          </Button>
        </Space>
      </Card>
      {report.isError && <Alert type="error" showIcon message={t('reports.error')} />}
      {data?.sampleHistoryUntil && (
        <Alert
          type="info"
          showIcon
          data-testid="sample-history"
          message={t('reports.sampleHistory', { date: data.sampleHistoryUntil })}
        />
      )}
      {!data && report.isLoading && (
        <Card variant="borderless" className="hk-card">
          <Skeleton active paragraph={{ rows: 10 }} />
        </Card>
      )}
      {data && (
        <>
          {isEmpty && (
            <Card variant="borderless" className="hk-card">
              <Empty description={t('reports.empty')} />
            </Card>
          )}
          <KpiCards report={data} />
          <Charts report={data} />
          <Tables report={data} />
        </>
      )}
    </Space>
  );
}
