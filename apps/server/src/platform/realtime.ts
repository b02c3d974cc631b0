import pg from 'pg';
import type { WebSocket } from 'ws';
import { createBatcher } from './batcher.ts';
import { newId } from './ids.ts';

const CHANNEL = 'huike_realtime';
const MAX_NOTIFY_BYTES = 7900;

/**
 * What travels between processes: a frame for every socket on a topic (and every in-process subscriber of it), or an
 * order to close the sockets.
 */
export type Envelope = { topic: string; frame?: unknown; close?: { code: number; reason: string } };

export type Realtime = ReturnType<typeof createRealtime>;

type Outgoing = { workspaceId: string; text: string };

/**
 * SQLSTATEs of a connection the server ended on purpose: admin_shutdown (PostgreSQL stopping, or pg_terminate_backend),
 * crash_shutdown, cannot_connect_now (starting or stopping). Expected when the database stops or restarts — an embedded
 * cluster gets the terminal's Ctrl-C at the same moment as the app — so the listener says so and reconnects.
 */
const SERVER_CLOSED_CONNECTION = new Set(['57P01', '57P02', '57P03']);

export type RealtimeLog = {
  error(error: unknown): void;
  /** Expected interruptions (the database ended the LISTEN connection): worth a line, not an error. */
  info(context: object, message: string): void;
};

/**
 * Pushes frames to WebSockets on every app process: a broadcast is a PostgreSQL NOTIFY, and each
 * process LISTENs and delivers to the sockets it holds. One path for local and remote sockets alike.
 */
export function createRealtime({ pool, url, log }: { pool: pg.Pool; url: string; log: RealtimeLog }) {
  const topics = new Map<string, Set<WebSocket>>();
  /** In-process subscribers (cross-process signals between services, e.g. an inbox's settings were saved). */
  const subscribers = new Map<string, Set<(frame: unknown) => void>>();
  let listener: pg.Client | undefined;
  let reconnect: NodeJS.Timeout | undefined;
  let isStopped = false;

  function deliver(envelope: Envelope) {
    for (const subscriber of subscribers.get(envelope.topic) ?? []) {
      try {
        subscriber(envelope.frame);
      } catch (error) {
        log.error(error);
      }
    }
    const sockets = topics.get(envelope.topic);
    if (!sockets) return;
    const text = envelope.frame === undefined ? undefined : JSON.stringify(envelope.frame);
    for (const socket of sockets) {
      if (envelope.close) socket.close(envelope.close.code, envelope.close.reason);
      else if (text && socket.readyState === socket.OPEN) socket.send(text);
    }
  }

  /** A notification is a JSON array of envelopes, or `ref:<id>` of one envelope too large for NOTIFY. */
  async function onNotification(payload: string) {
    // A process holding no socket (API-only, or between agents' shifts) has nobody to deliver to: skip the parsing,
    // ~2% of its CPU while the public API ingests.
    if (topics.size === 0 && subscribers.size === 0) return;
    if (payload.startsWith('ref:')) {
      const result = await pool.query<{ payload: string }>('select payload from realtime_payloads where id = $1', [
        payload.slice(4),
      ]);
      if (result.rows[0]) deliver(JSON.parse(result.rows[0].payload));
      return;
    }
    for (const envelope of JSON.parse(payload) as Envelope[]) deliver(envelope);
  }

  /** Packs envelopes into as few NOTIFY payloads as fit; oversized ones are stored and referenced. */
  async function notify(batch: Outgoing[]) {
    const payloads: string[] = [];
    let current: string[] = [];
    let currentBytes = 2;
    for (const { workspaceId, text } of batch) {
      const bytes = Buffer.byteLength(text) + 1;
      if (bytes + 2 > MAX_NOTIFY_BYTES) {
        const id = newId();
        await pool.query('insert into realtime_payloads (id, workspace_id, payload) values ($1, $2, $3)', [
          id,
          workspaceId,
          text,
        ]);
        payloads.push(`ref:${id}`);
        continue;
      }
      if (currentBytes + bytes > MAX_NOTIFY_BYTES) {
        payloads.push(`[${current.join(',')}]`);
        current = [];
        currentBytes = 2;
      }
      current.push(text);
      currentBytes += bytes;
    }
    if (current.length > 0) payloads.push(`[${current.join(',')}]`);
    await pool.query({
      name: 'huike_realtime_notify',
      text: 'select pg_notify($1, payload) from unnest($2::text[]) with ordinality as t(payload, n) order by n',
      values: [CHANNEL, payloads],
    });
  }

  // While one NOTIFY is in flight the next broadcasts queue up and leave together: a busy process sends
  // one NOTIFY per round trip instead of one per event.
  const notifyBatched = createBatcher(async (batch: Outgoing[]) => {
    await notify(batch);
    return batch.map(() => undefined);
  });

  async function listen() {
    const client = new pg.Client({ connectionString: url, application_name: 'huike-realtime' });
    client.on('notification', (message) => {
      if (message.payload) onNotification(message.payload).catch(log.error);
    });
    client.on('error', (error) => {
      const code = (error as { code?: string }).code;
      if (isStopped || (code && SERVER_CLOSED_CONNECTION.has(code))) {
        log.info({ code, isStopped }, 'realtime: the database closed the LISTEN connection');
      } else {
        log.error(error);
      }
      client.end().catch(() => {});
      if (listener === client) listener = undefined;
      if (!isStopped) reconnectSoon();
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch (error) {
      client.end().catch(() => {});
      throw error;
    }
    if (isStopped) {
      await client.end().catch(() => {});
      return;
    }
    listener = client;
  }

  /** Listens again after `delayMs`, doubling the wait (to 30 s) while the database stays unreachable. */
  function reconnectSoon(delayMs = 1000) {
    clearTimeout(reconnect);
    reconnect = setTimeout(() => {
      if (isStopped) return;
      listen().catch((error) => {
        log.error(error);
        reconnectSoon(Math.min(delayMs * 2, 30_000));
      });
    }, delayMs);
  }

  return {
    start: listen,

    /** Sends a frame to a topic's sockets on every process; resolves once the NOTIFY is committed. */
    broadcast(workspaceId: string, envelope: Envelope): Promise<void> {
      return notifyBatched({ workspaceId, text: JSON.stringify(envelope) });
    },

    /** Registers a socket on a topic until it closes. */
    join(topic: string, socket: WebSocket) {
      const sockets = topics.get(topic) ?? new Set<WebSocket>();
      topics.set(topic, sockets);
      sockets.add(socket);
      socket.once('close', () => {
        sockets.delete(socket);
        if (sockets.size === 0 && topics.get(topic) === sockets) topics.delete(topic);
      });
    },

    /**
     * Runs `handler` in this process for every frame broadcast to `topic` from any process (signals between services,
     * not for sockets). Answers the unsubscribe.
     */
    subscribe(topic: string, handler: (frame: unknown) => void): () => void {
      const handlers = subscribers.get(topic) ?? new Set();
      subscribers.set(topic, handlers);
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
        if (handlers.size === 0 && subscribers.get(topic) === handlers) subscribers.delete(topic);
      };
    },

    socketCount: () => [...topics.values()].reduce((sum, set) => sum + set.size, 0),

    /** Oversized payloads are read within milliseconds; older ones are garbage. */
    pruneOldPayloads: () => pool.query(`delete from realtime_payloads where created_at < now() - interval '5 minutes'`),

    async stop() {
      isStopped = true;
      clearTimeout(reconnect);
      for (const sockets of topics.values()) for (const socket of sockets) socket.close(1001, 'server shutting down');
      await listener?.end().catch(() => {});
    },
  };
}

export const topics = {
  workspace: (workspaceId: string) => `workspace:${workspaceId}`,
  user: (userId: string) => `user:${userId}`,
  /** The sockets a browser session opened (signed in with the session cookie): closed when the session ends. */
  session: (sessionId: string) => `session:${sessionId}`,
  visitor: (inboxId: string, customerId: string) => `visitor:${inboxId}:${customerId}`,
  /** A signal between the app's processes (realtime.subscribe), never a socket's topic. */
  internal: (name: string) => `internal:${name}`,
};
