import { CheckCircleOutlined, ClockCircleOutlined, PauseCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatDuration, useNow } from '../../../ui/time.ts';
import type { TicketRow } from '../api/tickets-api.ts';
import { isDone } from '../labels.tsx';

type Clock = TicketRow['clocks'][number];
export type ClockState = 'ok' | 'warn' | 'late' | 'paused' | 'met' | 'met_late' | 'breached' | 'none';

/**
 * Where a clock stands now: green, amber from 75% of its time, red once past due; paused; met. Calendar-time clocks
 * are judged live here; business-hours ones keep the server's colour (it knows the hours) until they pass due.
 */
export function clockState(clock: Clock, ticket: Pick<TicketRow, 'createdAt' | 'status'>, now: number) {
  if (clock.metAt) return { state: (clock.breachedAt ? 'met_late' : 'met') as ClockState, seconds: 0 };
  if (clock.pausedRemainingSeconds !== null && clock.pausedRemainingSeconds !== undefined)
    return { state: 'paused' as ClockState, seconds: clock.pausedRemainingSeconds };
  if (clock.breachedAt && !clock.dueAt) return { state: 'breached' as ClockState, seconds: 0 };
  if (!clock.dueAt) return { state: 'none' as ClockState, seconds: 0 };
  const due = Date.parse(clock.dueAt);
  const left = (due - now) / 1000;
  if (left <= 0 || clock.breachedAt) return { state: 'late' as ClockState, seconds: Math.abs(left) };
  const start = Date.parse(clock.startedAt ?? ticket.createdAt);
  const span = (due - start) / 1000;
  const isCalendar = clock.targetSeconds === null || Math.abs(span - clock.targetSeconds) < 5;
  if (!isCalendar) {
    const server = clock.state === 'amber' || clock.state === 'red' ? 'warn' : 'ok';
    return { state: server as ClockState, seconds: left };
  }
  const used = span > 0 ? 1 - left / span : 0;
  return { state: (used >= 0.75 ? 'warn' : 'ok') as ClockState, seconds: left };
}

function label(state: ClockState, seconds: number, t: TFunction): string {
  const time = formatDuration(seconds, t);
  switch (state) {
    case 'ok':
    case 'warn':
      return t('tickets.sla.remaining', { time });
    case 'late':
      return t('tickets.sla.overdue', { time });
    case 'paused':
      return t('tickets.sla.pausedLeft', { time });
    case 'met':
      return t('tickets.sla.met');
    case 'met_late':
      return t('tickets.sla.metLate');
    case 'breached':
      return t('tickets.sla.breached');
    default:
      return t('tickets.sla.none');
  }
}

const icons: Record<ClockState, React.ReactNode> = {
  ok: <ClockCircleOutlined />,
  warn: <ClockCircleOutlined />,
  late: <WarningOutlined />,
  breached: <WarningOutlined />,
  paused: <PauseCircleOutlined />,
  met: <CheckCircleOutlined />,
  met_late: <CheckCircleOutlined />,
  none: null,
};

type Props = { clock: Clock; ticket: Pick<TicketRow, 'createdAt' | 'status'>; showTarget?: boolean };

/** One SLA clock, counting down every second: 剩余 12:34 → amber at 75% → red 超时; 已暂停; 已达成. */
export function SlaClockBadge({ clock, ticket, showTarget }: Props) {
  const { t } = useTranslation();
  const now = useNow(1000);
  const { state, seconds } = clockState(clock, ticket, now);
  const help = clock.metAt
    ? t('tickets.sla.metAt', { time: formatDateTime(clock.metAt) })
    : state === 'paused'
      ? t('tickets.sla.pausedHelp')
      : clock.dueAt
        ? t('tickets.sla.dueAt', { time: formatDateTime(clock.dueAt) })
        : undefined;
  return (
    <Tooltip title={[t(`tickets.sla.${clock.target}`), help].filter(Boolean).join(' · ')}>
      <span className={`hk-sla hk-sla-${state}`} data-testid="sla-clock" data-target={clock.target} data-state={state}>
        {icons[state]}
        {showTarget && <span className="hk-sla-target">{t(`tickets.sla.${clock.target}`)}</span>}
        <span className="hk-sla-value">{label(state, seconds, t)}</span>
      </span>
    </Tooltip>
  );
}

/** The clock that matters most in a list row: the first running one (or the first breached), else nothing. */
export function pickHeadlineClock(ticket: TicketRow, now: number): Clock | undefined {
  if (isDone(ticket.status)) return undefined;
  const open = ticket.clocks.filter((clock) => !clock.metAt && (clock.dueAt || clock.pausedRemainingSeconds !== null));
  const ranked = open
    .map((clock) => ({ clock, ...clockState(clock, ticket, now) }))
    .sort((a, b) => {
      const rank = (state: ClockState) => (state === 'late' ? 0 : state === 'paused' ? 2 : 1);
      return rank(a.state) - rank(b.state) || (a.clock.dueAt ?? '').localeCompare(b.clock.dueAt ?? '');
    });
  return ranked[0]?.clock;
}

/** The table's SLA cell. */
export function SlaCell({ ticket }: { ticket: TicketRow }) {
  const now = useNow(30_000);
  const clock = pickHeadlineClock(ticket, now);
  if (!clock) return <span className="hk-muted">—</span>;
  return <SlaClockBadge clock={clock} ticket={ticket} />;
}
