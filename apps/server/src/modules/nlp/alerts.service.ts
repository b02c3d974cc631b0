/**
 * Supervisor alerts on spikes of urgent or negative customer messages.
 *
 * A subscriber on `message.created` counts scored inbound customer messages per workspace in one-minute buckets
 * (in memory, the last 70 minutes, by the message's own time so a replay after a restart lands in the right
 * minute). After each counted message:
 * - urgent_spike: ≥ URGENT_SPIKE urgent messages in the last 10 minutes;
 * - negative_spike: ≥ NEGATIVE_MIN_INBOUND messages and ≥ NEGATIVE_MIN_COUNT negative ones in the last 10 minutes,
 *   and their negative share at least twice the hour before's (that share counted as at least NEGATIVE_FLOOR_RATE,
 *   and as exactly that when the hour before had too few messages to say).
 * An alert row is stored at most once per kind per workspace every 30 minutes (checked in the database under an
 * advisory lock, so several processes agree) and pushed to the sockets of everyone who may read alerts.
 * Counts are per process: with several web processes each sees its own share of the traffic.
 *
 * The same bell carries notifications for one user (`recipient_id`): a snoozed conversation that woke up tells its
 * assignee, or who snoozed it when nobody is assigned. That row is written in the transaction that wakes the
 * conversation (an in-transaction subscriber of `conversation.snooze_ended`) and pushed to the recipient after the
 * commit. Everyone reads and acknowledges their own notifications; spike alerts need alerts:read.
 */
import { type Alert, type AlertDetails, type AlertKind, type Permission, roleCan } from '@huike/contracts';
import { and, desc, eq, gt, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { alerts, users } from '../../db/schema.ts';
import { type Actor, can } from '../../platform/access.ts';
import { decodeIdCursor, type Executor, encodeCursor, iso } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { DomainEvent, EventBus, MessageCreatedEvent } from '../../platform/events.ts';
import { newId } from '../../platform/ids.ts';
import { type Realtime, topics } from '../../platform/realtime.ts';

type SnoozeEndedEvent = Extract<DomainEvent, { type: 'conversation.snooze_ended' }>;

const MINUTE = 60_000;
export const WINDOW_MINUTES = 10;
const BASELINE_MINUTES = 60;
export const COOLDOWN_MS = 30 * MINUTE;
export const URGENT_SPIKE = 5;
export const NEGATIVE_MIN_INBOUND = 10;
export const NEGATIVE_MIN_COUNT = 5;
export const NEGATIVE_FLOOR_RATE = 0.2;
/** The previous hour needs this many messages for its negative share to count as the baseline. */
const BASELINE_MIN_INBOUND = 20;
const SAMPLE_CONVERSATIONS = 10;
const READ_PERMISSION: Permission = 'alerts:read';

type Bucket = { minute: number; inbound: number; negative: number; urgent: number; conversationIds: Set<string> };

const alertColumns = {
  id: alerts.id,
  kind: alerts.kind,
  details: alerts.details,
  createdAt: alerts.createdAt,
  acknowledgedBy: alerts.acknowledgedBy,
  acknowledgedByName: users.name,
  acknowledgedAt: alerts.acknowledgedAt,
};

type AlertRow = {
  id: string;
  kind: Alert['kind'];
  details: Record<string, unknown>;
  createdAt: Date;
  acknowledgedBy: string | null;
  acknowledgedByName: string | null;
  acknowledgedAt: Date | null;
};

const toAlert = (row: AlertRow): Alert =>
  ({
    id: row.id,
    kind: row.kind,
    details: row.details,
    createdAt: row.createdAt.toISOString(),
    acknowledgedBy: row.acknowledgedBy,
    acknowledgedByName: row.acknowledgedByName,
    acknowledgedAt: iso(row.acknowledgedAt),
  }) as Alert;

/** What a user sees in the bell: their own notifications, and the workspace's spike alerts if they may read those. */
const visibleTo = (actor: Actor): SQL =>
  and(
    eq(alerts.workspaceId, actor.workspaceId),
    can(actor, READ_PERMISSION)
      ? or(isNull(alerts.recipientId), eq(alerts.recipientId, actor.userId))
      : eq(alerts.recipientId, actor.userId),
  )!;

export type AlertsService = ReturnType<typeof createAlertsService>;

export function createAlertsService({
  db,
  events,
  realtime,
  log,
}: {
  db: Db;
  events: EventBus;
  realtime: Pick<Realtime, 'broadcast'>;
  log: (error: unknown, context: Record<string, unknown>) => void;
}) {
  const windows = new Map<string, Bucket[]>();
  /** Kinds alerted recently per workspace: spares the database check while a spike goes on. */
  const recentlyAlerted = new Map<string, number>();

  const selectAlerts = () => db.select(alertColumns).from(alerts).leftJoin(users, eq(users.id, alerts.acknowledgedBy));

  function count(workspaceId: string, event: MessageCreatedEvent, nowMinute: number) {
    const { message } = event;
    const minute = Math.floor(new Date(message.createdAt).getTime() / MINUTE);
    if (minute <= nowMinute - WINDOW_MINUTES - BASELINE_MINUTES) return undefined;
    const buckets = (windows.get(workspaceId) ?? []).filter(
      (bucket) => bucket.minute > nowMinute - WINDOW_MINUTES - BASELINE_MINUTES,
    );
    windows.set(workspaceId, buckets);
    let bucket = buckets.find((item) => item.minute === minute);
    if (!bucket) {
      bucket = { minute, inbound: 0, negative: 0, urgent: 0, conversationIds: new Set() };
      buckets.push(bucket);
    }
    bucket.inbound++;
    const negative = message.sentiment?.label === 'negative';
    const urgent = message.urgency?.urgent === true;
    if (negative) bucket.negative++;
    if (urgent) bucket.urgent++;
    if ((negative || urgent) && bucket.conversationIds.size < SAMPLE_CONVERSATIONS) {
      bucket.conversationIds.add(message.conversationId);
    }
    return buckets;
  }

  function measure(buckets: Bucket[], nowMinute: number) {
    const recent = { inbound: 0, negative: 0, urgent: 0 };
    const before = { inbound: 0, negative: 0 };
    const conversationIds = new Set<string>();
    for (const bucket of buckets) {
      if (bucket.minute > nowMinute - WINDOW_MINUTES) {
        recent.inbound += bucket.inbound;
        recent.negative += bucket.negative;
        recent.urgent += bucket.urgent;
        for (const id of bucket.conversationIds)
          if (conversationIds.size < SAMPLE_CONVERSATIONS) conversationIds.add(id);
      } else {
        before.inbound += bucket.inbound;
        before.negative += bucket.negative;
      }
    }
    const negativeRate = recent.inbound > 0 ? recent.negative / recent.inbound : 0;
    const baselineNegativeRate = before.inbound >= BASELINE_MIN_INBOUND ? before.negative / before.inbound : null;
    const details: AlertDetails = {
      windowMinutes: WINDOW_MINUTES,
      inbound: recent.inbound,
      urgent: recent.urgent,
      negative: recent.negative,
      negativeRate: Math.round(negativeRate * 1000) / 1000,
      baselineNegativeRate: baselineNegativeRate === null ? null : Math.round(baselineNegativeRate * 1000) / 1000,
      conversationIds: [...conversationIds],
    };
    const kinds: AlertKind[] = [];
    if (recent.urgent >= URGENT_SPIKE) kinds.push('urgent_spike');
    if (
      recent.inbound >= NEGATIVE_MIN_INBOUND &&
      recent.negative >= NEGATIVE_MIN_COUNT &&
      negativeRate >= 2 * Math.max(baselineNegativeRate ?? NEGATIVE_FLOOR_RATE, NEGATIVE_FLOOR_RATE)
    ) {
      kinds.push('negative_spike');
    }
    return { kinds, details };
  }

  /** Stores the alert unless one of that kind is younger than 30 minutes; answers it when stored. */
  async function store(workspaceId: string, kind: AlertKind, details: AlertDetails): Promise<Alert | undefined> {
    const id = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`alerts:${workspaceId}:${kind}`}))`);
      const recent = await tx
        .select({ id: alerts.id })
        .from(alerts)
        .where(
          and(
            eq(alerts.workspaceId, workspaceId),
            eq(alerts.kind, kind),
            gt(alerts.createdAt, new Date(Date.now() - COOLDOWN_MS)),
          ),
        )
        .limit(1);
      if (recent.length > 0) return undefined;
      const alertId = newId();
      await tx.insert(alerts).values({ id: alertId, workspaceId, kind, details });
      return alertId;
    });
    if (!id) return undefined;
    const [row] = await selectAlerts().where(eq(alerts.id, id));
    return row ? toAlert(row as AlertRow) : undefined;
  }

  async function push(workspaceId: string, alert: Alert) {
    const roles = (['owner', 'admin', 'supervisor', 'agent', 'analyst'] as const).filter((role) =>
      roleCan(role, READ_PERMISSION),
    );
    const readers = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), inArray(users.role, roles), eq(users.disabled, false)));
    await Promise.all(
      readers.map((reader) =>
        realtime.broadcast(workspaceId, { topic: topics.user(reader.id), frame: { type: 'alert.created', alert } }),
      ),
    );
  }

  async function onMessage(event: MessageCreatedEvent) {
    const { message } = event;
    if (message.direction !== 'inbound' || message.senderKind !== 'customer' || !message.sentiment) return;
    const nowMinute = Math.floor(Date.now() / MINUTE);
    const buckets = count(event.workspaceId, event, nowMinute);
    if (!buckets) return;
    const { kinds, details } = measure(buckets, nowMinute);
    for (const kind of kinds) {
      const key = `${event.workspaceId}:${kind}`;
      if ((recentlyAlerted.get(key) ?? 0) > Date.now() - COOLDOWN_MS) continue;
      recentlyAlerted.set(key, Date.now());
      try {
        const alert = await store(event.workspaceId, kind, details);
        if (alert) await push(event.workspaceId, alert);
      } catch (error) {
        recentlyAlerted.delete(key);
        throw error;
      }
    }
  }

  /** A woken conversation's notification, written with the wake-up (same transaction). */
  async function recordSnoozeEnded(tx: Executor, event: SnoozeEndedEvent) {
    if (!event.notifyUserId) return;
    await tx.insert(alerts).values({
      id: newId(),
      workspaceId: event.workspaceId,
      kind: 'snooze_ended',
      recipientId: event.notifyUserId,
      details: {
        conversationId: event.conversation.id,
        customerName: event.conversation.customerName,
        snoozedUntil: event.snoozedUntil,
      },
    });
  }

  /** Pushes the notification recordSnoozeEnded wrote to its recipient's sockets, once the wake-up committed. */
  async function pushSnoozeEnded(event: SnoozeEndedEvent) {
    if (!event.notifyUserId || event.replayed) return;
    const [row] = await selectAlerts()
      .where(
        and(
          eq(alerts.workspaceId, event.workspaceId),
          eq(alerts.recipientId, event.notifyUserId),
          eq(alerts.kind, 'snooze_ended'),
          sql`${alerts.details}->>'conversationId' = ${event.conversation.id}`,
        ),
      )
      .orderBy(desc(alerts.id))
      .limit(1);
    if (!row) return;
    await realtime.broadcast(event.workspaceId, {
      topic: topics.user(event.notifyUserId),
      frame: { type: 'alert.created', alert: toAlert(row as AlertRow) },
    });
  }

  return {
    /** Starts counting (and delivering notifications); answers the unsubscribe function. */
    subscribe() {
      const stopRecording = events.subscribeInTransaction(['conversation.snooze_ended'], (tx, event) =>
        event.type === 'conversation.snooze_ended' ? recordSnoozeEnded(tx, event) : Promise.resolve(),
      );
      const stopListening = events.subscribe(async (event) => {
        try {
          if (event.type === 'message.created') await onMessage(event);
          else if (event.type === 'conversation.snooze_ended') await pushSnoozeEnded(event);
        } catch (error) {
          log(error, { workspaceId: event.workspaceId, event: event.type });
        }
      });
      return () => {
        stopRecording();
        stopListening();
      };
    },

    /** Newest first: the user's own notifications, and spike alerts for those who may read them. */
    async list(actor: Actor, query: { limit: number; cursor?: string; unacknowledged?: boolean }) {
      const before = decodeIdCursor(query.cursor);
      const rows = (await selectAlerts()
        .where(
          and(
            visibleTo(actor),
            before ? lt(alerts.id, before) : undefined,
            query.unacknowledged ? isNull(alerts.acknowledgedAt) : undefined,
          ),
        )
        .orderBy(desc(alerts.id))
        .limit(query.limit + 1)) as AlertRow[];
      const items = rows.slice(0, query.limit).map(toAlert);
      return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null };
    },

    /** Marks an alert seen; acknowledging it again keeps the first acknowledgement. Only what the user sees. */
    async acknowledge(actor: Actor, id: string) {
      await db
        .update(alerts)
        .set({ acknowledgedBy: actor.userId, acknowledgedAt: new Date() })
        .where(and(visibleTo(actor), eq(alerts.id, id), isNull(alerts.acknowledgedAt)));
      const [row] = await selectAlerts().where(and(visibleTo(actor), eq(alerts.id, id)));
      if (!row) throw new AppError('alert.not_found', '提醒不存在');
      return toAlert(row as AlertRow);
    },
  };
}
