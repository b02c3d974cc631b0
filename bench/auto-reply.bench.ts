/**
 * auto-reply: end-to-end keyword auto-reply latency through the real server (fresh data dir, embedded PostgreSQL).
 *
 * One workspace with one website inbox and the demo's four keyword rules (plain replies, every time); 50 widget
 * visitors on their own sockets and one agent socket. For DURATION_S, visitors send OFFERED_RATE messages per second
 * in total (open loop, round robin), each containing a keyword. Measured per message: visitor send → the
 * auto-reply's `message` frame on that visitor's socket (the inbound message was stored, matched, the reply stored
 * and pushed). Replies are paired with messages in order per visitor (one reply per message).
 *
 * Reference, same run, same messages: visitor send → the agent socket's `message.created` for the inbound message
 * (the plain inbound push that every message gets, without automation).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { type StartedServer, setupWorkspace, sleep, startHuikeServer } from '../scripts/lib/huike-server.ts';
import { quantile, round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const VISITORS = 50;
const OFFERED_RATE = Number(process.env.HUIKE_BENCH_AUTO_REPLY_RATE ?? 100);
const DURATION_S = Number(process.env.HUIKE_BENCH_AUTO_REPLY_SECONDS ?? 30);
const DRAIN_TIMEOUT_MS = 15_000;

const RULES = [
  { name: '询价', keywords: ['价格', '多少钱'], replyText: '您好，商品页显示的就是当前到手价。' },
  { name: '发货', keywords: ['发货', '几天到'], replyText: '现货商品付款后 48 小时内发货。' },
  { name: '退货', keywords: ['退货', '退款'], replyText: '签收 7 天内未使用可无理由退货。' },
  { name: '物流', keywords: ['快递到哪了', '物流'], replyText: '正在为您查询物流，请稍候。' },
];
const MESSAGES = [
  '这件多少钱？',
  '今天下单几天到呀',
  '我想退货怎么弄',
  '我的快递到哪了',
  '价格还能优惠吗',
  '什么时候发货',
];

type Sent = { visitor: number; sentAt: number; pushedAt?: number; repliedAt?: number };

function openSocket(url: string, headers: Record<string, string>, onFrame: (frame: unknown) => void) {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: 10_000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.on('message', (raw) => {
      try {
        onFrame(JSON.parse(raw.toString()));
      } catch {
        // ignore
      }
    });
  });
}

async function waitUntil(predicate: () => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && !predicate()) await sleep(20);
  return predicate();
}

export async function run(): Promise<BenchResult> {
  let server: StartedServer | undefined;
  const sockets: WebSocket[] = [];
  try {
    server = await startHuikeServer({ readyTimeoutMs: 180_000 });
    console.log(`  server ${server.origin} (pid ${server.pid}, log ${server.logFile})`);
    const { api, inbox } = await setupWorkspace(server.origin);
    for (const rule of RULES) await api.request('POST', '/api/v1/keyword-replies', rule);
    const wsOrigin = server.origin.replace(/^http/, 'ws');

    const byClientMsgId = new Map<string, Sent>();
    const agent = await openSocket(
      `${wsOrigin}/api/v1/realtime`,
      { cookie: api.cookie, origin: server.origin },
      (frame) => {
        const event = frame as { type?: string; message?: { clientMsgId?: string | null; direction?: string } };
        if (event.type !== 'message.created' || event.message?.direction !== 'inbound') return;
        const entry = event.message.clientMsgId ? byClientMsgId.get(event.message.clientMsgId) : undefined;
        if (entry) entry.pushedAt ??= performance.now();
      },
    );
    sockets.push(agent);

    // Per visitor, its messages still waiting for their reply, oldest first.
    const awaiting: Sent[][] = Array.from({ length: VISITORS }, () => []);
    let unpairedReplies = 0;
    const visitors: WebSocket[] = [];
    for (let index = 0; index < VISITORS; index++) {
      const session = await api.request<{ sourceId: string; visitorToken: string }>(
        'POST',
        `/public/v1/inboxes/${inbox.token}/visitors`,
        {},
      );
      const query = `sourceId=${encodeURIComponent(session.sourceId)}&token=${encodeURIComponent(session.visitorToken)}`;
      const ws = await openSocket(
        `${wsOrigin}/public/v1/inboxes/${inbox.token}/ws?${query}`,
        { origin: server.origin },
        (frame) => {
          const data = frame as { type?: string; message?: { senderKind?: string } };
          if (data.type !== 'message' || data.message?.senderKind !== 'bot') return;
          const entry = awaiting[index]!.shift();
          if (entry) entry.repliedAt = performance.now();
          else unpairedReplies++;
        },
      );
      sockets.push(ws);
      visitors.push(ws);
    }

    let sequence = 0;
    const send = (visitor: number, track: Sent[]) => {
      const clientMsgId = `ar${visitor}-${(sequence++).toString(36)}-${randomBytes(3).toString('hex')}`;
      const entry: Sent = { visitor, sentAt: performance.now() };
      byClientMsgId.set(clientMsgId, entry);
      awaiting[visitor]!.push(entry);
      track.push(entry);
      const content = `${MESSAGES[sequence % MESSAGES.length]} #${sequence}`;
      visitors[visitor]!.send(JSON.stringify({ type: 'message', content, clientMsgId }));
    };

    // Warm-up: every visitor's first message opens its conversation (and compiles the rules).
    const warm: Sent[] = [];
    for (let visitor = 0; visitor < VISITORS; visitor++) send(visitor, warm);
    await waitUntil(() => warm.every((entry) => entry.repliedAt && entry.pushedAt), DRAIN_TIMEOUT_MS);
    await sleep(1_000);

    console.log(`  ${OFFERED_RATE} msgs/s for ${DURATION_S} s`);
    const measured: Sent[] = [];
    const total = OFFERED_RATE * DURATION_S;
    const interval = 1000 / OFFERED_RATE;
    const started = performance.now();
    let maxSendLagMs = 0;
    for (let k = 0; k < total; k++) {
      const due = started + k * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      maxSendLagMs = Math.max(maxSendLagMs, performance.now() - due);
      send(k % VISITORS, measured);
    }
    await waitUntil(() => measured.every((entry) => entry.repliedAt && entry.pushedAt), DRAIN_TIMEOUT_MS);

    const replyLatencies = measured.flatMap((entry) => (entry.repliedAt ? [entry.repliedAt - entry.sentAt] : []));
    const pushLatencies = measured.flatMap((entry) => (entry.pushedAt ? [entry.pushedAt - entry.sentAt] : []));
    const missing = measured.filter((entry) => !entry.repliedAt).length;

    return {
      dataset: {
        visitors: VISITORS,
        offeredRate: OFFERED_RATE,
        durationS: DURATION_S,
        messages: measured.length,
        rules: RULES.length,
        maxSendLagMs: round(maxSendLagMs, 1),
        transport: 'widget WebSocket (visitor) and agent WebSocket, 127.0.0.1',
      },
      metrics: {
        p50_ms: round(quantile(replyLatencies, 0.5), 1),
        p99_ms: round(quantile(replyLatencies, 0.99), 1),
        max_ms: round(Math.max(...replyLatencies), 1),
        replies_missing: missing,
        replies_unpaired: unpairedReplies,
      },
      reference: {
        push_p50_ms: round(quantile(pushLatencies, 0.5), 1),
        push_p99_ms: round(quantile(pushLatencies, 0.99), 1),
      },
      targets: [
        { metric: 'p99_ms', op: '<=', value: 30 },
        { metric: 'replies_missing', op: '<=', value: 0 },
      ],
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    if (server) {
      await server.stop();
      fs.rmSync(server.workDir, { recursive: true, force: true });
    }
  }
}
