/**
 * ingest: how fast website-chat messages get from visitors' sockets into PostgreSQL and out to an agent.
 *
 * Starts the real server (fresh data dir = embedded PostgreSQL, no demo data), sets up a workspace with
 * one website inbox, connects one agent socket and N visitor sockets, then:
 *   phase 1  throughput: every visitor keeps a few messages in flight for PHASE1_S → stored (acked) and
 *            pushed (agent got `message.created`) messages per second;
 *   phase 2  latency: a fixed offered load of OFFERED_RATE msgs/s for PHASE2_S → visitor send → agent
 *            receive p50/p99;
 *   reference: raw single-row INSERTs into a scratch table shaped like `messages`, 8 connections, on the
 *            same embedded cluster, in the same run.
 * Also the server's idle RSS and the widget's gzipped sizes. Everything on this machine, bounded in time.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { repoRoot, type StartedServer, setupWorkspace, sleep, startHuikeServer } from '../scripts/lib/huike-server.ts';
import { clusterPool } from './lib/cluster.ts';
import { quantile, round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const VISITORS = 50;
const WINDOW = 4;
const PHASE1_S = 10;
const OFFERED_RATE = 200;
const PHASE2_S = 10;
const REFERENCE_CONNECTIONS = 8;
const REFERENCE_S = 5;
const ACK_TIMEOUT_MS = 10_000;
const DRAIN_TIMEOUT_MS = 15_000;

type Sent = { visitor: number; phase: 0 | 1 | 2; sentAt: number; ackAt?: number; pushedAt?: number };

type VisitorSocket = { index: number; ws: WebSocket; inFlight: string[] };

const sent = new Map<string, Sent>();
const errorCodes = new Map<string, number>();
let sequence = 0;

const nextClientMsgId = (visitor: number) =>
  `b${visitor}-${(sequence++).toString(36)}-${randomBytes(3).toString('hex')}`;

function countError(code: string) {
  errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
}

function uuidv7(): string {
  const bytes = randomBytes(16);
  const ms = Date.now();
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function openSocket(
  url: string,
  headers: Record<string, string>,
  onMessage: (data: unknown) => void,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: 10_000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`${url.replace(/token=[^&]+/, 'token=…')} → HTTP ${response.statusCode}`)),
    );
    ws.on('message', (raw) => {
      try {
        onMessage(JSON.parse(raw.toString()));
      } catch {
        countError('unparseable_frame');
      }
    });
  });
}

function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return round(kb / 1024, 1);
  } catch {
    return Number.NaN;
  }
}

function gzipKb(files: string[]): number {
  if (files.length === 0) return Number.NaN;
  const bytes = files.reduce((sum, file) => sum + gzipSync(fs.readFileSync(file)).length, 0);
  return round(bytes / 1024, 2);
}

function widgetSizes() {
  const loader = path.join(repoRoot, 'apps/widget/dist/loader/widget.js');
  const assets = path.join(repoRoot, 'apps/widget/dist/app/assets');
  const listAssets = () =>
    fs.existsSync(assets)
      ? fs
          .readdirSync(assets)
          .filter((file) => /\.(m?js|css)$/.test(file))
          .map((file) => path.join(assets, file))
      : [];
  if (!fs.existsSync(loader) || listAssets().length === 0) {
    console.log('  building the widget (npm run build -w @huike/widget)…');
    try {
      execFileSync('npm', ['run', 'build', '-w', '@huike/widget'], { cwd: repoRoot, stdio: 'inherit' });
    } catch (error) {
      console.error('  widget build failed:', (error as Error).message);
    }
  }
  return {
    loader_gzip_kb: fs.existsSync(loader) ? gzipKb([loader]) : Number.NaN,
    widget_app_gzip_kb: gzipKb(listAssets()),
  };
}

async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await sleep(20);
  }
  return predicate();
}

/** Raw INSERT rate with 8 connections into a scratch table shaped like `messages`, same cluster. */
async function measureReferenceInserts(dataDir: string) {
  const pool = clusterPool(dataDir, REFERENCE_CONNECTIONS);
  const table = 'bench_scratch_messages';
  try {
    const version = (await pool.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
    await pool.query(`drop table if exists ${table}`);
    await pool.query(`create table ${table} (
      id uuid primary key,
      workspace_id uuid not null,
      conversation_id uuid not null,
      direction text not null,
      sender_kind text not null,
      sender_id uuid,
      content text not null,
      private boolean not null default false,
      client_msg_id text,
      created_at timestamptz not null default now()
    )`);
    await pool.query(`create index ${table}_conversation_idx on ${table} (workspace_id, conversation_id, id)`);
    await pool.query(
      `create unique index ${table}_client_msg_id_key on ${table} (workspace_id, conversation_id, client_msg_id) where client_msg_id is not null`,
    );
    const workspaceId = uuidv7();
    const conversations = Array.from({ length: VISITORS }, () => uuidv7());
    const sql = `insert into ${table} (id, workspace_id, conversation_id, direction, sender_kind, sender_id, content, private, client_msg_id)
      values ($1, $2, $3, 'inbound', 'customer', null, $4, false, $5)`;
    let inserts = 0;
    const started = performance.now();
    const deadline = started + REFERENCE_S * 1000;
    await Promise.all(
      Array.from({ length: REFERENCE_CONNECTIONS }, async (_, worker) => {
        const client = await pool.connect();
        try {
          for (let i = 0; performance.now() < deadline; i++) {
            const conversation = conversations[(worker * 7 + i) % conversations.length] as string;
            await client.query(sql, [
              uuidv7(),
              workspaceId,
              conversation,
              `压测消息 ${worker}-${i} 请问这件衣服有 XL 码吗？`,
              `r${worker}-${i}`,
            ]);
            inserts++;
          }
        } finally {
          client.release();
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return { inserts_per_s: round(inserts / elapsed, 0), version: version ?? 'unknown' };
  } finally {
    await pool.query(`drop table if exists ${table}`).catch(() => {});
    await pool.end();
  }
}

export async function run(): Promise<BenchResult> {
  sent.clear();
  errorCodes.clear();
  const sizes = widgetSizes();

  let server: StartedServer | undefined;
  const sockets: WebSocket[] = [];
  try {
    server = await startHuikeServer({ readyTimeoutMs: 180_000 });
    console.log(`  server ${server.origin} (pid ${server.pid}, log ${server.logFile})`);
    const { api, inbox } = await setupWorkspace(server.origin);
    await sleep(2_000);
    const rssIdle = rssMb(server.pid);
    const wsOrigin = server.origin.replace(/^http/, 'ws');

    // One agent, counting every message it is pushed.
    let pushedUnknown = 0;
    const agent = await openSocket(
      `${wsOrigin}/api/v1/realtime`,
      { cookie: api.cookie, origin: server.origin },
      (frame) => {
        const event = frame as { type?: string; message?: { clientMsgId?: string | null } };
        if (event.type !== 'message.created') return;
        const entry = event.message?.clientMsgId ? sent.get(event.message.clientMsgId) : undefined;
        if (entry) entry.pushedAt ??= performance.now();
        else pushedUnknown++;
      },
    );
    sockets.push(agent);

    // N visitors, each with its own socket.
    const visitors: VisitorSocket[] = [];
    let onAck: (visitor: VisitorSocket) => void = () => {};
    for (let index = 0; index < VISITORS; index++) {
      const session = await api.request<{ sourceId: string; visitorToken: string }>(
        'POST',
        `/public/v1/inboxes/${inbox.token}/visitors`,
        {},
      );
      const query = `sourceId=${encodeURIComponent(session.sourceId)}&token=${encodeURIComponent(session.visitorToken)}`;
      const visitor: VisitorSocket = { index, ws: undefined as unknown as WebSocket, inFlight: [] };
      visitor.ws = await openSocket(
        `${wsOrigin}/public/v1/inboxes/${inbox.token}/ws?${query}`,
        { origin: server.origin },
        (frame) => {
          const data = frame as { type?: string; clientMsgId?: string; code?: string };
          if (data.type === 'ack' && data.clientMsgId) {
            const entry = sent.get(data.clientMsgId);
            if (entry) entry.ackAt ??= performance.now();
            visitor.inFlight = visitor.inFlight.filter((id) => id !== data.clientMsgId);
            onAck(visitor);
          } else if (data.type === 'error') {
            countError(data.code ?? 'unknown');
            visitor.inFlight.shift();
            onAck(visitor);
          }
        },
      );
      sockets.push(visitor.ws);
      visitors.push(visitor);
    }

    const send = (visitor: VisitorSocket, phase: 0 | 1 | 2, sentAt = performance.now()) => {
      const clientMsgId = nextClientMsgId(visitor.index);
      sent.set(clientMsgId, { visitor: visitor.index, phase, sentAt });
      visitor.inFlight.push(clientMsgId);
      visitor.ws.send(
        JSON.stringify({ type: 'message', content: `压测消息 #${sequence} 请问这件衣服有 XL 码吗？`, clientMsgId }),
      );
    };
    const ofPhase = (phase: number) => [...sent.values()].filter((entry) => entry.phase === phase);

    // Warm-up: every visitor's first message opens its conversation.
    for (const visitor of visitors) send(visitor, 0);
    await waitUntil(() => ofPhase(0).every((entry) => entry.ackAt && entry.pushedAt), DRAIN_TIMEOUT_MS);
    await sleep(500);

    // Phase 1: closed loop, WINDOW messages in flight per visitor.
    console.log(`  phase 1: ${VISITORS} visitors × ${WINDOW} in flight for ${PHASE1_S} s`);
    const phase1Start = performance.now();
    const phase1End = phase1Start + PHASE1_S * 1000;
    onAck = (visitor) => {
      while (performance.now() < phase1End && visitor.inFlight.length < WINDOW) send(visitor, 1);
    };
    for (const visitor of visitors) onAck(visitor);
    while (performance.now() < phase1End) {
      // Free slots whose ack never came, so that one lost ack cannot stall a visitor.
      const now = performance.now();
      for (const visitor of visitors) {
        const before = visitor.inFlight.length;
        visitor.inFlight = visitor.inFlight.filter((id) => now - (sent.get(id)?.sentAt ?? now) < ACK_TIMEOUT_MS);
        if (visitor.inFlight.length < before) onAck(visitor);
      }
      await sleep(100);
    }
    onAck = () => {};
    const phase1 = ofPhase(1);
    const ackedInWindow = phase1.filter((entry) => entry.ackAt !== undefined && entry.ackAt <= phase1End).length;
    const pushedInWindow = phase1.filter((entry) => entry.pushedAt !== undefined && entry.pushedAt <= phase1End).length;
    await waitUntil(() => phase1.every((entry) => entry.ackAt && entry.pushedAt), DRAIN_TIMEOUT_MS);
    for (const visitor of visitors) visitor.inFlight = [];
    await sleep(1_000);

    // Phase 2: open loop at a fixed offered rate.
    console.log(`  phase 2: ${OFFERED_RATE} msgs/s for ${PHASE2_S} s`);
    const total = OFFERED_RATE * PHASE2_S;
    const interval = 1000 / OFFERED_RATE;
    const phase2Start = performance.now();
    let maxSendLagMs = 0;
    for (let k = 0; k < total; k++) {
      const due = phase2Start + k * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      maxSendLagMs = Math.max(maxSendLagMs, performance.now() - due);
      send(visitors[k % visitors.length] as VisitorSocket, 2);
    }
    const phase2 = ofPhase(2);
    await waitUntil(() => phase2.every((entry) => entry.ackAt && entry.pushedAt), DRAIN_TIMEOUT_MS);
    const phase2End = performance.now();
    const latencies = phase2.flatMap((entry) => (entry.pushedAt ? [entry.pushedAt - entry.sentAt] : []));
    const ackLatencies = phase2.flatMap((entry) => (entry.ackAt ? [entry.ackAt - entry.sentAt] : []));
    const rssAfterLoad = rssMb(server.pid);

    const all = [...sent.values()];
    const lost = all.filter((entry) => !entry.ackAt || !entry.pushedAt).length;

    for (const socket of sockets) socket.close();
    console.log(`  reference: raw INSERTs, ${REFERENCE_CONNECTIONS} connections for ${REFERENCE_S} s`);
    const reference = await measureReferenceInserts(server.dataDir);

    const metrics = {
      throughput_msgs_per_s: round(ackedInWindow / PHASE1_S, 0),
      pushed_msgs_per_s: round(pushedInWindow / PHASE1_S, 0),
      p50_ms: round(quantile(latencies, 0.5), 1),
      p99_ms: round(quantile(latencies, 0.99), 1),
      max_ms: round(Math.max(...latencies), 1),
      ack_p50_ms: round(quantile(ackLatencies, 0.5), 1),
      ack_p99_ms: round(quantile(ackLatencies, 0.99), 1),
      phase2_delivered_msgs_per_s: round(latencies.length / ((phase2End - phase2Start) / 1000), 0),
      lost_count: lost,
      error_frames_count: [...errorCodes.values()].reduce((sum, count) => sum + count, 0),
      rss_idle_mb: rssIdle,
      rss_after_load_mb: rssAfterLoad,
      ...sizes,
    };
    return {
      dataset: {
        visitors: VISITORS,
        in_flight_per_visitor: WINDOW,
        phase1_s: PHASE1_S,
        phase2_offered_msgs_per_s: OFFERED_RATE,
        phase2_s: PHASE2_S,
        messages_sent_count: all.length,
        reference_connections: REFERENCE_CONNECTIONS,
        reference_s: REFERENCE_S,
        database: `embedded PostgreSQL ${reference.version}`,
        max_send_lag_ms: round(maxSendLagMs, 1),
        unmatched_agent_events_count: pushedUnknown,
        error_codes: Object.fromEntries(errorCodes),
        gzip: 'node zlib default level; widget app = sum of dist/app/assets/*.{js,css}',
      },
      metrics,
      reference: { inserts_per_s: reference.inserts_per_s },
      targets: [
        {
          metric: 'throughput_msgs_per_s',
          op: '>=',
          value: round(0.4 * reference.inserts_per_s, 0),
          rule: '≥ 0.4 × reference.inserts_per_s',
        },
        { metric: 'p99_ms', op: '<=', value: 50, rule: `at ${OFFERED_RATE} msgs/s offered` },
        { metric: 'lost_count', op: '<=', value: 0, rule: 'every message acked and pushed to the agent' },
        { metric: 'rss_idle_mb', op: '<=', value: 250 },
        { metric: 'loader_gzip_kb', op: '<=', value: 3 },
        { metric: 'widget_app_gzip_kb', op: '<=', value: 40 },
      ],
    };
  } catch (error) {
    if (server) console.error(`  server log (last lines):\n${server.logTail(60)}`);
    throw error;
  } finally {
    for (const socket of sockets) socket.terminate();
    if (server) {
      await server.stop();
      fs.rmSync(server.workDir, { recursive: true, force: true });
    }
  }
}
