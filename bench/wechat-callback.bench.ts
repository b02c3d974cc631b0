/**
 * wechat-callback: how long Huike takes to answer WeChat's safe-mode (安全模式) callbacks, which WeChat gives up on
 * after 5 seconds.
 *
 * Starts the real server (fresh data dir = embedded PostgreSQL, no demo data) with a local stand-in for WeChat's
 * API (the inbox's appId/appSecret are checked against it when the inbox is connected), sets up a WeChat inbox in
 * safe mode, then POSTs encrypted text messages from FOLLOWERS followers as WeChat does: every answer must be
 * "success", every message stored exactly once (a tenth are redelivered, as WeChat retries). Two phases:
 *   offered load: OFFERED_RATE callbacks/s on a fixed schedule (open loop, like WeChat's pushes: they do not wait for
 *                 each other) — the target's p99 is taken here;
 *   saturation:   CONCURRENCY at a time, each sent as soon as the last answered — the most this machine takes
 *                 (callbacks/s); its latencies are mostly queueing (in flight ÷ throughput), reported as saturated_*.
 *   server time: the server's own `server-timing: app;dur=…` of each callback (verify signature, decrypt, parse,
 *                resolve the follower, store, commit, wait for an automatic passive reply, answer), p50/p99;
 *   reference:   the same run's `GET /healthz` round trip at the same concurrency (the floor of an HTTP answer
 *                on this machine), and the callbacks' round trip as the client saw it.
 * Everything on 127.0.0.1, bounded in time.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { signedPush, startWechatStandIn, textPush, type WechatAccount } from '../apps/server/test/wechat-stand-in.ts';
import { type StartedServer, setupWorkspace, startHuikeServer } from '../scripts/lib/huike-server.ts';
import { clusterUrl } from './lib/cluster.ts';
import { quantile, round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const FOLLOWERS = 200;
const CALLBACKS = 3_000;
const OFFERED_RATE = 100;
const WARMUP = 300;
const CONCURRENCY = 8;
const REDELIVERED_SHARE = 0.1;
const HEALTHZ_REQUESTS = 3_000;
const TARGET_P99_MS = 20;

const account = {
  appId: 'wx5823bf96d3bd56c7',
  appSecret: 'bench-app-secret-0123456789abcdef',
  token: 'huikeBenchToken',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  mode: 'safe',
} as const satisfies WechatAccount & { appSecret: string };

type Sample = { serverMs: number; clientMs: number };

const serverTiming = (header: string | null) => Number(/app;dur=([\d.]+)/.exec(header ?? '')?.[1] ?? Number.NaN);

/** Runs `count` jobs, `concurrency` at a time. */
async function pool(count: number, concurrency: number, job: (index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function storedCount(dataDir: string, inboxId: string): Promise<number> {
  const client = new pg.Client({ connectionString: clusterUrl(dataDir) });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `select count(*)::int as count from messages m join conversations c on c.id = m.conversation_id
       where c.inbox_id = $1 and m.direction = 'inbound'`,
      [inboxId],
    );
    return rows[0]?.count ?? 0;
  } finally {
    await client.end();
  }
}

export async function run(): Promise<BenchResult> {
  const standIn = await startWechatStandIn({ appId: account.appId, appSecret: account.appSecret });
  let server: StartedServer | undefined;
  try {
    // The stand-in listens on 127.0.0.1: let the server's outbound calls reach it.
    server = await startHuikeServer({ readyTimeoutMs: 180_000, env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
    console.log(`  server ${server.origin} (pid ${server.pid}, log ${server.logFile})`);
    const { api } = await setupWorkspace(server.origin);
    const inbox = await api.request<{ id: string; token: string }>('POST', '/api/v1/inboxes', {
      name: '公众号',
      channelType: 'wechat',
      channelConfig: { ...account, apiBaseUrl: standIn.url },
    });
    const url = (query: string) => `${server!.origin}/public/v1/channels/wechat/${inbox.token}?${query}`;

    let msgId = 6_054_768_590_064_713_728n;
    let failures = 0;
    const sent: string[] = [];
    const callback = async (index: number, samples?: Sample[]) => {
      // A tenth are WeChat redelivering an earlier MsgId (same follower): answered, stored once.
      const isRedelivery = sent.length > 0 && index % Math.round(1 / REDELIVERED_SHARE) === 0;
      if (!isRedelivery) {
        msgId += 1n;
        sent.push(String(msgId));
      }
      const id = isRedelivery ? sent[index % sent.length]! : String(msgId);
      const follower = `oBench_${String(Number(BigInt(id) % BigInt(FOLLOWERS))).padStart(4, '0')}`;
      const { query, body } = signedPush(account, textPush(follower, `请问 ${id} 号订单什么时候发货？`, id));
      const started = performance.now();
      const response = await fetch(url(query), { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      const text = await response.text();
      const clientMs = performance.now() - started;
      if (response.status !== 200 || text !== 'success') {
        failures += 1;
        return;
      }
      samples?.push({ serverMs: serverTiming(response.headers.get('server-timing')), clientMs });
    };

    console.log(`  warm-up: ${WARMUP} callbacks`);
    await pool(WARMUP, CONCURRENCY, (index) => callback(index));

    console.log(`  offered load: ${CALLBACKS} encrypted text messages at ${OFFERED_RATE}/s`);
    const samples: Sample[] = [];
    const scheduleStart = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let index = 0; index < CALLBACKS; index++) {
      const due = scheduleStart + (index * 1000) / OFFERED_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(callback(WARMUP + index, samples));
    }
    await Promise.all(inFlight);

    console.log(`  saturation: ${CALLBACKS} encrypted text messages, ${CONCURRENCY} at a time`);
    const saturated: Sample[] = [];
    const started = performance.now();
    await pool(CALLBACKS, CONCURRENCY, (index) => callback(WARMUP + CALLBACKS + index, saturated));
    const elapsedS = (performance.now() - started) / 1000;

    console.log(`  reference: GET /healthz ×${HEALTHZ_REQUESTS}, ${CONCURRENCY} at a time`);
    const healthz: number[] = [];
    await pool(HEALTHZ_REQUESTS, CONCURRENCY, async () => {
      const begin = performance.now();
      const response = await fetch(`${server!.origin}/healthz`);
      await response.text();
      healthz.push(performance.now() - begin);
    });

    const stored = await storedCount(server.dataDir, inbox.id);
    const serverMs = samples.map((sample) => sample.serverMs).filter(Number.isFinite);
    const clientMs = samples.map((sample) => sample.clientMs);
    const saturatedServerMs = saturated.map((sample) => sample.serverMs).filter(Number.isFinite);
    return {
      dataset: {
        followers: FOLLOWERS,
        callbacks_count: CALLBACKS,
        offered_rate_per_s: OFFERED_RATE,
        saturation_callbacks_count: CALLBACKS,
        warmup_count: WARMUP,
        concurrency: CONCURRENCY,
        redelivered_share: REDELIVERED_SHARE,
        mode: 'safe (AES-256-CBC, msg_signature)',
      },
      metrics: {
        server_p50_ms: round(quantile(serverMs, 0.5), 2),
        server_p99_ms: round(quantile(serverMs, 0.99), 2),
        server_max_ms: round(Math.max(...serverMs), 1),
        client_p50_ms: round(quantile(clientMs, 0.5), 2),
        client_p99_ms: round(quantile(clientMs, 0.99), 2),
        saturated_callbacks_per_s: round(saturated.length / elapsedS, 0),
        saturated_server_p50_ms: round(quantile(saturatedServerMs, 0.5), 2),
        saturated_server_p99_ms: round(quantile(saturatedServerMs, 0.99), 2),
        failed_count: failures,
        // Distinct MsgIds sent (warm-up included) against messages stored: 0 = none lost, none duplicated.
        stored_mismatch_count: Math.abs(sent.length - stored),
      },
      reference: {
        healthz_p50_ms: round(quantile(healthz, 0.5), 2),
        healthz_p99_ms: round(quantile(healthz, 0.99), 2),
      },
      targets: [
        { metric: 'server_p99_ms', op: '<=', value: TARGET_P99_MS },
        { metric: 'failed_count', op: '<=', value: 0 },
        { metric: 'stored_mismatch_count', op: '<=', value: 0 },
      ],
    };
  } finally {
    await server?.stop();
    await standIn.close();
  }
}
