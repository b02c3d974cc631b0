import {
  type CreateWebhookBody,
  type UpdateWebhookBody,
  WEBHOOK_PING_EVENT,
  type WebhookDelivery,
  type WebhookDeliveryListQuery,
  type WebhookEndpoint,
  type WebhookEvent,
  type WebhookPayload,
  webhookEvents,
} from '@huike/contracts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { decodeIdCursor, type Executor, encodeCursor, iso } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { DomainEvent, EventBus } from '../../platform/events.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import { DeliveryError, type Outbox } from '../../platform/outbox.ts';
import { checkUrlAllowed, UnsafeUrlError } from '../../platform/safe-fetch.ts';
import { createTtlCache } from '../../platform/ttl-cache.ts';
import { type AuditService, changedFields, type FieldChange, hasChanges } from '../audit/index.ts';
import { postSigned } from './signed-post.ts';
import * as repo from './webhooks.repository.ts';

/** How long a process may fan out events with an endpoint list it read before another process changed it. */
const ENDPOINT_CACHE_MS = 3_000;
/** A replayed event (after a restart) is sent to endpoints with no delivery for it in this window. */
const REPLAY_WINDOW_MS = 24 * 3_600_000;

const notFound = () => new AppError('webhook.not_found', 'Webhook 不存在');

/**
 * An endpoint address as the audit log keeps it: without its query, fragment or credentials, which often carry a token
 * (钉钉 and 企业微信 robots take theirs as `access_token` / `key`). The log is append-only: a token in it stays there.
 */
function auditedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url.replace(/[?#].*$/s, '');
  }
}

/** Events in the order the webhook form lists them, so a save that only reorders them changes nothing. */
const inListOrder = (events: readonly string[]) =>
  [...events].sort((a, b) => webhookEvents.indexOf(a as WebhookEvent) - webhookEvents.indexOf(b as WebhookEvent));

/** How the audit log names an endpoint: its description, else its address. */
const auditedName = (endpoint: { description: string; url: string }) =>
  endpoint.description.trim() || auditedUrl(endpoint.url);

const toEndpoint = (row: repo.ListedEndpointRow, canSeeSecret: boolean): WebhookEndpoint => ({
  id: row.id,
  url: row.url,
  description: row.description,
  events: row.events as WebhookEvent[],
  enabled: row.enabled,
  secret: canSeeSecret ? row.secret : null,
  createdAt: row.createdAt.toISOString(),
  lastDeliveryAt: iso(row.lastDeliveryAt),
  failing: row.failing,
});

const toDelivery = (row: repo.DeliveryRow): WebhookDelivery => ({
  id: row.id,
  endpointId: row.subjectId,
  event: String(row.payload.event ?? ''),
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.lastStatusCode,
  lastError: row.lastError,
  lastReason: row.lastReason ?? null,
  lastDurationMs: row.lastDurationMs,
  nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
  createdAt: row.createdAt.toISOString(),
  finishedAt: iso(row.finishedAt),
});

/** The smallest UUIDv7 of a moment: ids compare in time order, so `id >= floor` means "created since". */
const uuidFloor = (ms: number) => {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
};

/** A domain event as webhooks see it: which webhook event, its key (the same event twice = one key), its data. */
type Mapped = {
  event: WebhookEvent;
  key: string;
  data: (executor: Executor) => Promise<Record<string, unknown> | undefined>;
};

/**
 * Events whose deliveries are written in the publisher's transaction (events.record), so a crash right after the
 * commit loses none. Message and conversation creations are fanned out after the commit instead: they are on the
 * inbound hot path, and a restart replays them (replayRecentInbound).
 */
const RECORDED_EVENTS = [
  'conversation.resolved',
  'ticket.created',
  'ticket.updated',
  'ticket.resolved',
  'customer.created',
  'customer.updated',
] as const satisfies readonly WebhookEvent[];

export type WebhooksService = ReturnType<typeof createWebhooksService>;

export function createWebhooksService({
  db,
  outbox,
  events,
  audit,
  config,
}: {
  db: Db;
  outbox: Outbox;
  events: EventBus;
  audit: AuditService;
  config: Pick<Config, 'allowPrivateWebhooks'>;
}) {
  const allowPrivate = config.allowPrivateWebhooks === true;
  const subscribedCache = createTtlCache<{ id: string; events: string[] }[]>(ENDPOINT_CACHE_MS);
  const endpointCache = createTtlCache<repo.EndpointRow | undefined>(ENDPOINT_CACHE_MS);

  const forget = (workspaceId: string, id: string) => {
    subscribedCache.delete(workspaceId);
    endpointCache.delete(id);
  };

  // Read with the caller's executor: a transaction recording an event must not wait for a second pool connection.
  const subscribedEndpoints = (executor: Executor, workspaceId: string) =>
    subscribedCache.get(workspaceId, () => repo.enabledEndpoints(executor, workspaceId));

  const endpointFor = (workspaceId: string, id: string) =>
    endpointCache.get(id, () => repo.findEndpoint(db, workspaceId, id));

  async function checkUrl(url: string) {
    try {
      await checkUrlAllowed(url, { allowPrivate });
    } catch (error) {
      if (error instanceof UnsafeUrlError)
        throw new AppError('webhook.unsafe_url', `Webhook 网址不可用：${error.message}`);
      throw error;
    }
  }

  async function getListed(actor: Actor, id: string) {
    const row = await repo.findListedEndpoint(db, actor.workspaceId, id);
    if (!row) throw notFound();
    return row;
  }

  function mapEvent(event: DomainEvent): Mapped | undefined {
    switch (event.type) {
      case 'message.created':
        if (event.message.private) return undefined;
        return {
          event: event.type,
          key: `message:${event.message.id}`,
          data: async () => ({ message: event.message, conversation: event.conversation }),
        };
      case 'conversation.created':
      case 'conversation.resolved':
        return {
          event: event.type,
          // Created once; resolved maybe again later.
          key: `${event.type}:${event.conversation.id}${event.type === 'conversation.resolved' ? `:${Date.now()}` : ''}`,
          data: async () => ({ conversation: event.conversation }),
        };
      case 'ticket.created':
      case 'ticket.resolved':
        return {
          event: event.type,
          key: `${event.type}:${event.ticket.id}:${event.ticket.updatedAt}`,
          data: async () => ({ ticket: event.ticket }),
        };
      case 'ticket.updated':
        return {
          event: event.type,
          key: `${event.type}:${event.ticket.id}:${event.ticket.updatedAt}`,
          data: async () => ({ ticket: event.ticket, changes: event.changes }),
        };
      case 'customer.created':
      case 'customer.updated': {
        const fields = event.type === 'customer.updated' ? { fields: event.fields } : {};
        return {
          event: event.type,
          key: `${event.type}:${event.customerId}:${Date.now()}`,
          data: async (executor) => {
            const customer = await repo.customerPayload(executor, event.workspaceId, event.customerId);
            return customer && { customer, ...fields };
          },
        };
      }
      default:
        return undefined;
    }
  }

  /** An event → one outbox row per enabled endpoint subscribed to it, written with `executor`. Answers whether any was. */
  async function fanOut(executor: Executor, event: DomainEvent): Promise<boolean> {
    const mapped = mapEvent(event);
    if (!mapped) return false;
    let targets = (await subscribedEndpoints(executor, event.workspaceId)).filter((endpoint) =>
      endpoint.events.includes(mapped.event),
    );
    if (targets.length === 0) return false;
    if (event.replayed) {
      const done = await repo.endpointsWithKey(
        executor,
        event.workspaceId,
        targets.map((endpoint) => endpoint.id),
        mapped.key,
        uuidFloor(Date.now() - REPLAY_WINDOW_MS),
      );
      targets = targets.filter((endpoint) => !done.has(endpoint.id));
      if (targets.length === 0) return false;
    }
    const data = await mapped.data(executor);
    if (!data) return false;
    const occurredAt = new Date().toISOString();
    await outbox.enqueue(
      executor,
      targets.map((endpoint) => ({
        workspaceId: event.workspaceId,
        kind: repo.WEBHOOK_KIND,
        subjectId: endpoint.id,
        payload: { event: mapped.event, key: mapped.key, occurredAt, data },
      })),
    );
    return true;
  }

  outbox.define(repo.WEBHOOK_KIND, {
    async send(row) {
      const endpoint = await endpointFor(row.workspaceId, row.subjectId);
      if (!endpoint)
        throw new DeliveryError({ code: 'delivery.endpoint_deleted' }, 'Webhook 已删除', { permanent: true });
      const event = String(row.payload.event);
      if (!endpoint.enabled && event !== WEBHOOK_PING_EVENT) {
        throw new DeliveryError({ code: 'delivery.endpoint_disabled' }, 'Webhook 已停用', { permanent: true });
      }
      const payload: WebhookPayload = {
        id: row.id,
        event: event as WebhookPayload['event'],
        workspaceId: row.workspaceId,
        occurredAt: String(row.payload.occurredAt),
        data: (row.payload.data ?? {}) as Record<string, unknown>,
      };
      const { statusCode } = await postSigned({
        url: endpoint.url,
        secret: endpoint.secret,
        body: JSON.stringify(payload),
        headers: { 'x-huike-event': event, 'x-huike-delivery': row.id },
        allowPrivate,
      });
      return { statusCode };
    },
  });

  return {
    /** Subscribes the fan-out to domain events (once, from app.ts). */
    subscribe() {
      const recordedTypes: ReadonlySet<string> = new Set(RECORDED_EVENTS);
      // Recorded events whose deliveries were written: the outbox is woken once their transaction committed.
      const written = new WeakSet<DomainEvent>();
      const stopRecording = events.subscribeInTransaction(RECORDED_EVENTS, async (tx, event) => {
        if (await fanOut(tx, event)) written.add(event);
      });
      const stopFanningOut = events.subscribe(async (event) => {
        const isWritten = recordedTypes.has(event.type) ? written.has(event) : await fanOut(db, event);
        if (isWritten) outbox.wake();
      });
      return () => {
        stopRecording();
        stopFanningOut();
      };
    },

    async list(actor: Actor) {
      assertCan(actor, 'webhooks:manage');
      const rows = await repo.listEndpoints(db, actor.workspaceId);
      return { items: rows.map((row) => toEndpoint(row, true)), nextCursor: null };
    },

    async get(actor: Actor, id: string) {
      assertCan(actor, 'webhooks:manage');
      return toEndpoint(await getListed(actor, id), true);
    },

    async create(actor: Actor, body: CreateWebhookBody) {
      assertCan(actor, 'webhooks:manage');
      await checkUrl(body.url);
      const id = newId();
      await db.transaction(async (tx) => {
        await repo.insertEndpoint(tx, {
          id,
          workspaceId: actor.workspaceId,
          url: body.url,
          description: body.description,
          events: body.events,
          enabled: body.enabled,
          secret: randomToken(32),
          createdBy: actor.userId,
        });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'webhooks.created',
          targetType: 'webhook',
          targetId: id,
          details: { name: auditedName(body), events: inListOrder(body.events), enabled: body.enabled },
        });
      });
      forget(actor.workspaceId, id);
      return toEndpoint(await getListed(actor, id), true);
    },

    async update(actor: Actor, id: string, patch: UpdateWebhookBody) {
      assertCan(actor, 'webhooks:manage');
      const existing = await repo.findEndpoint(db, actor.workspaceId, id);
      if (!existing) throw notFound();
      if (patch.url !== undefined && patch.url !== existing.url) await checkUrl(patch.url);
      const { rotateSecret, ...fields } = patch;
      const changes: Record<string, FieldChange | { changed: true }> = changedFields(
        {
          url: auditedUrl(existing.url),
          description: existing.description,
          events: inListOrder(existing.events),
          enabled: existing.enabled,
        },
        {
          url: fields.url === undefined ? undefined : auditedUrl(fields.url),
          description: fields.description,
          events: fields.events && inListOrder(fields.events),
          enabled: fields.enabled,
        },
      );
      // Another token in the query: changed, but the log shows neither.
      if (fields.url !== undefined && fields.url !== existing.url && !changes.url) changes.url = { changed: true };
      if (rotateSecret) changes.secret = { changed: true };
      await db.transaction(async (tx) => {
        await repo.updateEndpoint(tx, actor.workspaceId, id, {
          ...fields,
          ...(rotateSecret ? { secret: randomToken(32) } : {}),
        });
        if (!hasChanges(changes)) return;
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'webhooks.updated',
          targetType: 'webhook',
          targetId: id,
          details: { name: auditedName({ ...existing, ...fields }), changes },
        });
      });
      forget(actor.workspaceId, id);
      return toEndpoint(await getListed(actor, id), true);
    },

    async remove(actor: Actor, id: string) {
      assertCan(actor, 'webhooks:manage');
      await db.transaction(async (tx) => {
        const existing = await repo.findEndpoint(tx, actor.workspaceId, id);
        if (!existing || !(await repo.deleteEndpoint(tx, actor.workspaceId, id))) throw notFound();
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'webhooks.deleted',
          targetType: 'webhook',
          targetId: id,
          details: { name: auditedName(existing) },
        });
      });
      forget(actor.workspaceId, id);
    },

    /** Sends a `ping` to the endpoint now and answers how it went (also listed among its deliveries). */
    async test(actor: Actor, id: string) {
      assertCan(actor, 'webhooks:manage');
      const endpoint = await repo.findEndpoint(db, actor.workspaceId, id);
      if (!endpoint) throw notFound();
      const [deliveryId] = await outbox.enqueue(db, [
        {
          workspaceId: actor.workspaceId,
          kind: repo.WEBHOOK_KIND,
          subjectId: id,
          payload: {
            event: WEBHOOK_PING_EVENT,
            key: `ping:${newId()}`,
            occurredAt: new Date().toISOString(),
            data: { webhookId: id, message: '这是一条来自慧客的测试事件' },
          },
        },
      ]);
      await outbox.sendNow(deliveryId!);
      return toDelivery((await repo.findDelivery(db, actor.workspaceId, deliveryId!))!);
    },

    async listDeliveries(actor: Actor, endpointId: string | undefined, query: WebhookDeliveryListQuery) {
      assertCan(actor, 'webhooks:manage');
      if (endpointId && !(await repo.findEndpoint(db, actor.workspaceId, endpointId))) throw notFound();
      const rows = await repo.listDeliveries(db, actor.workspaceId, {
        endpointId,
        status: query.status,
        beforeId: decodeIdCursor(query.cursor),
        limit: query.limit + 1,
      });
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return {
        items: items.map(toDelivery),
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null,
      };
    },

    /** A dead delivery goes back to the queue with fresh attempts (重新投递). */
    async replay(actor: Actor, deliveryId: string) {
      assertCan(actor, 'webhooks:manage');
      const row = await repo.findDelivery(db, actor.workspaceId, deliveryId);
      if (!row) throw new AppError('webhook_delivery.not_found', '投递记录不存在');
      if (row.status !== 'dead') throw new AppError('webhook_delivery.not_dead', '只有已停止重试的投递可以重新投递');
      // Replaying to a disabled endpoint would fail at once and overwrite the attempts that explain the failure.
      const endpoint = await repo.findEndpoint(db, actor.workspaceId, row.subjectId);
      if (endpoint && !endpoint.enabled)
        throw new AppError('webhook.disabled', '这个 Webhook 已停用，请先启用再重新投递');
      await outbox.replay(actor.workspaceId, deliveryId);
      await audit.record(db, {
        workspaceId: actor.workspaceId,
        actorId: actor.userId,
        action: 'webhooks.delivery_replayed',
        targetType: 'webhook',
        targetId: row.subjectId,
        details: { deliveryId, event: row.payload.event },
      });
      return toDelivery((await repo.findDelivery(db, actor.workspaceId, deliveryId))!);
    },
  };
}
