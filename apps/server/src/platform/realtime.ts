import pg from 'pg';
import type { WebSocket } from 'ws';
import { createBatcher } from './batcher.ts';
import { newId } from './ids.ts';

const CHANNEL = 'huike_realtime';
const MAX_NOTIFY_BYTES = 7900;

/** What travels between processes: a frame for every socket on a topic, or an order to close them. */
export type Envelope = { topic: string; frame?: unknown; close?: { code: number; reason: string } };

export type Realtime = ReturnType<typeof createRealtime>;

type Outgoing = { workspaceId: string; text: string };

/**
 * Pushes frames to WebSockets on every app process: a broadcast is a PostgreSQL NOTIFY, and each
 * process LISTENs and delivers to the sockets it holds. One path for local and remote sockets alike.
 */
export function createRealtime({ pool, url, log }: { pool: pg.Pool; url: string; log: (error: unknown) => void }) {
  const topics = new Map<string, Set<WebSocket>>();
  let listener: pg.Client | undefined;
  let isStopped = false;

  function deliver(envelope: Envelope) {
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
    if (topics.size === 0) return;
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
      if (message.payload) onNotification(message.payload).catch(log);
    });
    client.on('error', (error) => {
      log(error);
      client.end().catch(() => {});
      if (!isStopped) setTimeout(() => listen().catch(log), 1000);
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    listener = client;
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

    socketCount: () => [...topics.values()].reduce((sum, set) => sum + set.size, 0),

    /** Oversized payloads are read within milliseconds; older ones are garbage. */
    pruneOldPayloads: () => pool.query(`delete from realtime_payloads where created_at < now() - interval '5 minutes'`),

    async stop() {
      isStopped = true;
      for (const sockets of topics.values()) for (const socket of sockets) socket.close(1001, 'server shutting down');
      await listener?.end().catch(() => {});
    },
  };
}

export const topics = {
  workspace: (workspaceId: string) => `workspace:${workspaceId}`,
  user: (userId: string) => `user:${userId}`,
  visitor: (inboxId: string, customerId: string) => `visitor:${inboxId}:${customerId}`,
};
