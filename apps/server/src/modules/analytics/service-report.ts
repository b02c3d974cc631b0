import { localDate, type ServiceReport, type ServiceReportQuery } from '@huike/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db-helpers.ts';
import * as repo from './analytics.repository.ts';

type Histogram = Map<number, number>;

const lower = (b: number) => 2 ** (b / repo.BUCKETS_PER_DOUBLING) - 1;

/** The p-quantile (nearest rank, interpolated inside its bucket) of a log-scale histogram; null when empty. */
export function percentile(hist: Histogram, p: number): number | null {
  let total = 0;
  for (const n of hist.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const b of [...hist.keys()].sort((x, y) => x - y)) {
    const n = hist.get(b)!;
    if (seen + n >= rank) {
      const lo = lower(b);
      const hi = lower(b + 1);
      return Math.round(lo + ((hi - lo) * (rank - seen - 0.5)) / n);
    }
    seen += n;
  }
  return null;
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

const addDays = (day: string, days: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
}

const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const monthEnd = (month: string) => {
  const d = new Date(`${month}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1, 0);
  return d.toISOString().slice(0, 10);
};

/**
 * Where each day of the range is read from: whole past months with monthly rollups, other rolled-up past days from
 * daily rollups, and the rest (today, a day whose rollup is pending) from raw events.
 */
async function sources(
  executor: Executor,
  workspaceId: string,
  timezone: string,
  q: ServiceReportQuery,
  rawOnly: boolean,
  now: Date,
) {
  const today = localDate(now, timezone);
  const days = daysBetween(q.from, q.to);
  const rolled = rawOnly ? new Set<string>() : await repo.rolledUpDays(executor, workspaceId, q.from, q.to);
  const rolledMonths = rawOnly
    ? new Set<string>()
    : await repo.rolledUpMonths(executor, workspaceId, monthStart(q.from), q.to);
  const months = [...rolledMonths].filter(
    (month) => month >= q.from && monthEnd(month) <= q.to && monthEnd(month) < today,
  );
  const inMonths = (day: string) => months.includes(monthStart(day));
  const dailyDays = days.filter((day) => day < today && rolled.has(day));
  const runs: [string, string][] = [];
  for (const day of days) {
    if (day < today && rolled.has(day)) continue;
    const last = runs.at(-1);
    if (last && addDays(last[1], 1) === day) last[1] = day;
    else runs.push([day, day]);
  }
  const rawWhere =
    runs.length === 0
      ? sql`false`
      : sql.join(
          runs.map(([a, b]) => sql`(${repo.dayWindow(timezone, a, b)})`),
          sql` or `,
        );
  return {
    months: `{${months.join(',')}}`,
    /** Rolled-up days outside the monthly rollups (read for totals). */
    dailyOnly: `{${dailyDays.filter((day) => !inMonths(day)).join(',')}}`,
    today,
    rawWhere: sql`(${rawWhere})`,
  };
}

/**
 * The fact kinds the report reads, listed so that the rollup index scans read these alone (rollups also hold
 * `series:`, `heat:` and summed rows; a year's heatmap rows outnumber the rest ten to one). A new kind the report
 * shows goes here.
 */
const REPORT_KINDS = [
  'conversation_created',
  'conversation_resolved',
  'conversation_repeat',
  'first_response',
  'reply_time',
  'urgent_message',
  'fcr_broken',
  'ticket_created',
  'ticket_resolved',
  'ticket_sla_met',
  'ticket_sla_missed',
  'ticket_sla_breached',
  'bot_engaged',
  'bot_answered',
  'bot_resolved',
  'bot_handed_off',
  'csat',
  'nps',
  'complaint_keyword',
];
const { kindList, LEADER_KINDS } = repo;

/** Per-day first-response medians only for ranges up to a quarter (a year's per-day histograms cost too much). */
const DAILY_MEDIAN_MAX_DAYS = 92;

/** Computes every figure of the service dashboard from rollups (whole past days) and raw events (the rest). */
export async function computeServiceReport(
  executor: Executor,
  workspaceId: string,
  q: ServiceReportQuery,
  options: { rawOnly?: boolean; now?: Date } = {},
): Promise<ServiceReport> {
  const { timezone, sampleHistoryUntil } = await repo.reportWorkspace(executor, workspaceId);
  const src = await sources(executor, workspaceId, timezone, q, options.rawOnly ?? false, options.now ?? new Date());
  const filter = sql.join(
    [
      sql`true`,
      ...(q.inboxId ? [sql`inbox_id = ${q.inboxId}`] : []),
      ...(q.teamId ? [sql`team_id = ${q.teamId}`] : []),
      ...(q.agentId ? [sql`agent_id = ${q.agentId}`] : []),
    ],
    sql` and `,
  );
  const measures = sql`dim, count, sum, business_sum, hist_buckets, hist_counts, business_hist_buckets,
    business_hist_counts`;
  const rawDaily = sql`(select * from ${repo.rawDailyRows(workspaceId, timezone, src.rawWhere)} raw where ${filter})`;
  // The least detailed rollup rows the filters allow (see rebuildDay): with an agent filter, that agent's rows; with an
  // inbox or team filter, rows summed over agents (`all:`) and, for the leaderboard, per-agent rows; without a
  // filter, the workspace's sums (`total:`) and per-agent-only rows (`agent:`).
  const level = q.agentId ? 'agent' : q.inboxId || q.teamId ? 'inbox' : 'workspace';
  const totalPrefix = { agent: '', inbox: 'all:', workspace: 'total:' }[level];
  const leaderPrefix = level === 'workspace' ? 'agent:' : '';
  // Rolled-up rows (kinds without their prefix), flagged by use: `total` (totals, histograms), `leader` (leaderboard).
  const rolled = (table: SQL, period: SQL) => {
    const rows = (use: SQL, prefix: string, kinds: string[]) => sql`
      select ${use}, agent_id, ${prefix ? sql.raw(`substr(kind, ${prefix.length + 1})`) : sql`kind`} as kind, ${measures}
      from ${table}
      where workspace_id = ${workspaceId} and ${period} and kind in ${kindList(kinds, prefix)} and ${filter}`;
    return level === 'agent'
      ? rows(sql`true as total, true as leader`, '', REPORT_KINDS)
      : sql`${rows(sql`true as total, false as leader`, totalPrefix, REPORT_KINDS)}
        union all
        ${rows(sql`false, true`, leaderPrefix, LEADER_KINDS)} and agent_id is not null`;
  };
  const facts = sql`(
    ${rolled(sql`reporting_monthly_rollups`, sql`month = any(${src.months}::date[])`)}
    union all
    ${rolled(sql`reporting_daily_rollups`, sql`day = any(${src.dailyOnly}::date[])`)}
    union all
    select true, true, agent_id, kind, ${measures} from ${rawDaily} raw
  )`;
  // A semi-join on the list of rolled-up days (a long `= any(array)` would be compared row by row).
  const rolledDay = options.rawOnly
    ? sql`false`
    : sql`day between ${q.from}::date and ${q.to}::date and day < ${src.today}::date
    and day in (select d.day from reporting_rollup_days d where d.workspace_id = ${workspaceId}
                and d.day between ${q.from}::date and ${q.to}::date)`;
  const isDailyMedian = daysBetween(q.from, q.to).length <= DAILY_MEDIAN_MAX_DAYS;
  const counted = ['conversation_created', 'conversation_resolved', 'ticket_created'];
  const dailyKinds = kindList(isDailyMedian ? [...counted, 'first_response'] : counted);
  // The day counts: per agent, summed over agents (`series:`) or for the workspace (`total:`); medians alike.
  const seriesKinds = {
    agent: dailyKinds,
    inbox: sql.raw(
      `(${[...counted.map((kind) => `'series:${kind}'`), ...(isDailyMedian ? ["'all:first_response'"] : [])].join(', ')})`,
    ),
    workspace: kindList(isDailyMedian ? [...counted, 'first_response'] : counted, 'total:'),
  }[level];
  // Kinds as stored (their prefixes are dropped in JS, cheaper than per row in SQL).
  const perDay = sql`(
    select day, kind, count, hist_buckets, hist_counts from reporting_daily_rollups
    where workspace_id = ${workspaceId} and ${rolledDay} and kind in ${seriesKinds} and ${filter}
    union all
    select day, kind, count, hist_buckets, hist_counts from ${rawDaily} raw where kind in ${dailyKinds}
  )`;
  // Heatmap cells; each part is summed before its cell is computed (per row, that costs more than the sums).
  const heatPrefix = { agent: 'heat:', inbox: 'all:heat:', workspace: 'total:heat:' }[level];
  const hourly = sql`(
    select extract(isodow from day)::int as weekday, hour::int as hour, kind, count from (
      select day, hour, kind, sum(count) as count from reporting_hourly_rollups
      where workspace_id = ${workspaceId} and day = any(${src.dailyOnly}::date[]) and ${filter}
      group by day, hour, kind) d
    union all
    select split_part(dim, ':', 1)::int, split_part(dim, ':', 2)::int, kind, count from (
      select dim, kind, sum(count) as count from reporting_monthly_rollups
      where workspace_id = ${workspaceId} and month = any(${src.months}::date[])
        and kind in ${kindList(repo.HOURLY_KINDS, heatPrefix)} and ${filter}
      group by dim, kind) m
    union all
    select extract(isodow from day)::int, hour::int, kind, count
    from ${repo.rawHourlyRows(workspaceId, timezone, src.rawWhere)} raw where ${filter}
  )`;
  const run = <T extends Record<string, unknown>>(query: SQL) => executor.execute<T>(query).then((r) => r.rows);

  type Aggregates = {
    totals: { kind: string; dim: string; count: number; sum: number; business_sum: number }[] | null;
    hists: { kind: string; business: boolean; b: number; n: number }[] | null;
    agents: { agent_id: string; kind: string; count: number; sum: number }[] | null;
    agent_hists: { agent_id: string; b: number; n: number }[] | null;
  };
  const [[aggregates], daily, dailyHists, heat] = await Promise.all([
    run<Aggregates>(sql`
      with f as materialized ${facts}
      select
        (select json_agg(t) from (select kind, dim, sum(count)::int as count, sum(sum)::float8 as sum,
           sum(business_sum)::float8 as business_sum from f where total group by kind, dim) t) as totals,
        (select json_agg(t) from (
           select kind, false as business, u.b, sum(u.n)::int as n
           from f cross join lateral unnest(hist_buckets, hist_counts) as u(b, n)
           where total and kind in ('first_response', 'reply_time', 'conversation_resolved', 'ticket_resolved')
           group by kind, u.b
           union all
           select kind, true, u.b, sum(u.n)::int
           from f cross join lateral unnest(business_hist_buckets, business_hist_counts) as u(b, n)
           where total and kind in ('first_response', 'reply_time', 'conversation_resolved')
           group by kind, u.b) t) as hists,
        (select json_agg(t) from (select agent_id, kind, sum(count)::int as count, sum(sum)::float8 as sum from f
           where leader and agent_id is not null and kind in ('conversation_resolved', 'csat') group by agent_id, kind) t)
           as agents,
        (select json_agg(t) from (select agent_id, u.b, sum(u.n)::int as n
           from f cross join lateral unnest(hist_buckets, hist_counts) as u(b, n)
           where leader and agent_id is not null and kind = 'first_response' group by agent_id, u.b) t) as agent_hists`),
    run<{ day: string; kind: string; count: number }>(sql`
      select to_char(day, 'YYYY-MM-DD') as day, kind, sum(count)::int as count from ${perDay} d
      where kind not like '%first_response' group by day, kind`),
    isDailyMedian
      ? run<{ day: string; b: number; n: number }>(sql`
          select to_char(day, 'YYYY-MM-DD') as day, u.b, sum(u.n)::int as n
          from ${perDay} d cross join lateral unnest(hist_buckets, hist_counts) as u(b, n)
          where kind like '%first_response' group by day, u.b`)
      : Promise.resolve([]),
    run<{ weekday: number; hour: number; kind: string; count: number }>(sql`
      select weekday, hour, kind, sum(count)::int as count from ${hourly} h group by 1, 2, kind`),
  ]);
  const totals = aggregates?.totals ?? [];
  const hists = aggregates?.hists ?? [];
  const agents = aggregates?.agents ?? [];
  const agentHists = aggregates?.agent_hists ?? [];

  const count = (kind: string, dim?: string) =>
    totals.filter((t) => t.kind === kind && (dim === undefined || t.dim === dim)).reduce((a, t) => a + t.count, 0);
  const sumOf = (kind: string) => totals.filter((t) => t.kind === kind).reduce((a, t) => a + Number(t.sum), 0);
  const histOf = (kind: string, business: boolean) => {
    const hist: Histogram = new Map();
    for (const row of hists) if (row.kind === kind && row.business === business) hist.set(row.b, row.n);
    return hist;
  };
  const durations = (kind: string) => {
    const calendar = histOf(kind, false);
    const business = histOf(kind, true);
    return {
      count: count(kind),
      median: percentile(calendar, 0.5),
      p90: percentile(calendar, 0.9),
      businessMedian: percentile(business, 0.5),
      businessP90: percentile(business, 0.9),
    };
  };

  const firstResolved = count('conversation_resolved', 'first');
  const fcrBroken = count('fcr_broken');
  const met = count('ticket_sla_met');
  const missed = count('ticket_sla_missed');
  const botEngaged = count('bot_engaged');
  const botResolved = count('bot_resolved');
  const botHandedOff = count('bot_handed_off');
  const csatResponses = count('csat');
  const csatSatisfied = count('csat', '4') + count('csat', '5');
  const npsResponses = count('nps');
  const scoreCount = (from: number, to: number) => {
    let n = 0;
    for (let s = from; s <= to; s++) n += count('nps', String(s));
    return n;
  };
  const promoters = scoreCount(9, 10);
  const detractors = scoreCount(0, 6);
  const conversations = count('conversation_created');

  const dailyByDay = new Map<string, { conversations: number; resolved: number; tickets: number; hist: Histogram }>();
  const dayEntry = (day: string) => {
    let entry = dailyByDay.get(day);
    if (!entry) {
      entry = { conversations: 0, resolved: 0, tickets: 0, hist: new Map() };
      dailyByDay.set(day, entry);
    }
    return entry;
  };
  for (const row of daily) {
    const entry = dayEntry(row.day);
    const kind = row.kind.replace(/^(series|all|total):/, '');
    if (kind === 'conversation_created') entry.conversations += row.count;
    if (kind === 'conversation_resolved') entry.resolved += row.count;
    if (kind === 'ticket_created') entry.tickets += row.count;
  }
  for (const row of dailyHists) dayEntry(row.day).hist.set(row.b, row.n);

  const leaders = new Map<string, { resolved: number; csatSum: number; csatCount: number; hist: Histogram }>();
  const leader = (id: string) => {
    let entry = leaders.get(id);
    if (!entry) {
      entry = { resolved: 0, csatSum: 0, csatCount: 0, hist: new Map() };
      leaders.set(id, entry);
    }
    return entry;
  };
  for (const row of agents) {
    if (row.kind === 'conversation_resolved') leader(row.agent_id).resolved += row.count;
    if (row.kind === 'csat') {
      leader(row.agent_id).csatSum += Number(row.sum);
      leader(row.agent_id).csatCount += row.count;
    }
  }
  for (const row of agentHists) leader(row.agent_id).hist.set(row.b, row.n);
  const names = await repo.agentNames(executor, workspaceId, [...leaders.keys()]);

  const heatCells = new Map<string, { weekday: number; hour: number; conversations: number; tickets: number }>();
  for (const row of heat) {
    const key = `${row.weekday}:${row.hour}`;
    const cell = heatCells.get(key) ?? { weekday: row.weekday, hour: row.hour, conversations: 0, tickets: 0 };
    // `conversation_created`, `heat:conversation_created`, `all:heat:conversation_created`; the same for tickets.
    if (row.kind.endsWith('conversation_created')) cell.conversations += row.count;
    else cell.tickets += row.count;
    heatCells.set(key, cell);
  }

  const top = (kind: string, limit: number) =>
    [
      ...totals
        .filter((t) => t.kind === kind && t.dim)
        .reduce((map, t) => map.set(t.dim, (map.get(t.dim) ?? 0) + t.count), new Map<string, number>())
        .entries(),
    ]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit);

  return {
    range: { from: q.from, to: q.to, timezone },
    sampleHistoryUntil: sampleHistoryUntil !== null && q.from < sampleHistoryUntil ? sampleHistoryUntil : null,
    kpis: {
      conversations,
      conversationsResolved: count('conversation_resolved'),
      ticketsCreated: count('ticket_created'),
      ticketsResolved: count('ticket_resolved'),
      urgentMessages: count('urgent_message'),
      firstResponse: durations('first_response'),
      replyTime: durations('reply_time'),
      resolution: durations('conversation_resolved'),
      ticketResolution: durations('ticket_resolved'),
      fcr: {
        resolved: firstResolved,
        firstContact: firstResolved - fcrBroken,
        rate: rate(firstResolved - fcrBroken, firstResolved),
      },
      repeatInquiry: {
        conversations,
        repeats: count('conversation_repeat'),
        rate: rate(count('conversation_repeat'), conversations),
      },
      sla: { met, missed, breaches: count('ticket_sla_breached'), rate: rate(met, met + missed) },
      bot: {
        engaged: botEngaged,
        resolved: botResolved,
        handedOff: botHandedOff,
        resolutionRate: rate(botResolved, botEngaged),
        handOffRate: rate(botHandedOff, botEngaged),
      },
      csat: {
        responses: csatResponses,
        average: csatResponses > 0 ? Math.round((sumOf('csat') / csatResponses) * 100) / 100 : null,
        satisfiedRate: rate(csatSatisfied, csatResponses),
      },
      nps: {
        responses: npsResponses,
        promoters,
        passives: npsResponses - promoters - detractors,
        detractors,
        score: npsResponses > 0 ? Math.round(((promoters - detractors) / npsResponses) * 100) : null,
      },
    },
    daily: daysBetween(q.from, q.to).map((date) => {
      const entry = dailyByDay.get(date);
      return {
        date,
        conversations: entry?.conversations ?? 0,
        resolved: entry?.resolved ?? 0,
        tickets: entry?.tickets ?? 0,
        firstResponseMedian: entry ? percentile(entry.hist, 0.5) : null,
      };
    }),
    heatmap: [...heatCells.values()].sort((a, b) => a.weekday - b.weekday || a.hour - b.hour),
    leaderboard: [...leaders.entries()]
      .map(([agentId, entry]) => ({
        agentId,
        name: names.get(agentId) ?? '（已删除）',
        resolved: entry.resolved,
        firstResponseMedian: percentile(entry.hist, 0.5),
        csatAverage: entry.csatCount > 0 ? Math.round((entry.csatSum / entry.csatCount) * 100) / 100 : null,
        csatResponses: entry.csatCount,
      }))
      .sort((a, b) => b.resolved - a.resolved || a.name.localeCompare(b.name))
      .slice(0, 20),
    topCategories: top('ticket_created', 10).map(([category, n]) => ({ category, count: n })),
    topKeywords: top('complaint_keyword', 20).map(([keyword, n]) => ({ keyword, count: n })),
  };
}
