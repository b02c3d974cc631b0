/**
 * webhook-delivery: outbound webhooks through the outbox to a local receiver.
 *
 * Starts the real server (fresh data dir = embedded PostgreSQL, no demo data) with the private-address opt-in
 * (the receiver is on 127.0.0.1) and a short retry backoff (HUIKE_OUTBOX_BACKOFF_SCALE, so retries land within
 * seconds), makes a webhook endpoint subscribed to `message.created`, then:
 *   check    SMOKE signed inbound messages → the same number of `message.created` deliveries (the real fan-out);
 *   phase 1  throughput: N deliveries queued at once (rows written straight into the outbox, held, then released
 *            together) to a healthy receiver → deliveries per second until the last one is acknowledged;
 *   phase 2  failures: N more while the receiver answers 500 to 20% of requests at random → every delivery id
 *            acknowledged exactly once (lost = never acknowledged, duplicated = acknowledged twice; counted by
 *            X-Huike-Delivery), and the rate under failures.
 * The receiver checks every signature. `HUIKE_BENCH_QUICK=1` runs small sizes (to check the benchmark works).
 */
import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { type StartedServer, setupWorkspace, sleep, startHuikeServer } from '../scripts/lib/huike-server.ts';
import { clusterPool } from './lib/cluster.ts';
import { round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const QUICK = process.env.HUIKE_BENCH_QUICK === '1';
const SMOKE = QUICK ? 20 : 200;
const N = QUICK ? 1_000 : 10_000;
const FAILURE_RATE = 0.2;
const PHASE_TIMEOUT_MS = 180_000;

type Inbox = { id: string; token: string; secret: string };

/** The receiver: verifies signatures, fails a share of requests, counts 2xx answers per delivery id. */
function createReceiver(secret: () => string) {
  const acknowledged = new Map<string, number>();
  const stats = { requests: 0, failed: 0, badSignature: 0, lastAckAt: 0 };
  let failureRate = 0;
  let sampleBody = '';
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      stats.requests++;
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = String(request.headers['x-huike-signature'] ?? '');
      const t = /t=(\d+)/.exec(header)?.[1];
      const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1];
      const expected = t && createHmac('sha256', secret()).update(`${t}.${raw}`).digest('hex');
      if (!expected || expected !== v1) {
        stats.badSignature++;
        response.writeHead(401).end();
        return;
      }
      if (Math.random() < failureRate) {
        stats.failed++;
        response.writeHead(500).end();
        return;
      }
      const id = String(request.headers['x-huike-delivery']);
      acknowledged.set(id, (acknowledged.get(id) ?? 0) + 1);
      stats.lastAckAt = performance.now();
      sampleBody ||= raw;
      response.writeHead(204).end();
    });
  });
  return {
    server,
    acknowledged,
    stats,
    setFailureRate(rate: number) {
      failureRate = rate;
    },
    sampleBody: () => sampleBody,
  };
}

async function waitFor(predicate: () => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (predicate()) return true;
    await sleep(10);
  }
  return predicate();
}

export async function run(): Promise<BenchResult> {
  let server: StartedServer | undefined;
  let pool: pg.Pool | undefined;
  let endpointSecret = '';
  const receiver = createReceiver(() => endpointSecret);
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks/huike`;
  try {
    server = await startHuikeServer({
      readyTimeoutMs: 180_000,
      env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1', HUIKE_OUTBOX_BACKOFF_SCALE: '0.001' },
    });
    console.log(`  server ${server.origin} (pid ${server.pid}, log ${server.logFile})`);
    const { api } = await setupWorkspace(server.origin);
    const inbox = await api.request<Inbox>('POST', '/api/v1/inboxes', { name: '京东（桥接）', channelType: 'api' });
    const endpoint = await api.request<{ id: string; secret: string }>('POST', '/api/v1/webhooks', {
      url: receiverUrl,
      description: 'ERP',
      events: ['message.created'],
    });
    endpointSecret = endpoint.secret;
    pool = clusterPool(server.dataDir, 2);
    const workspaceId = (
      await pool.query<{ workspace_id: string }>('select workspace_id from webhook_endpoints where id = $1', [
        endpoint.id,
      ])
    ).rows[0]!.workspace_id;

    // Check: the real path, inbound message → event → outbox → receiver.
    for (let i = 0; i < SMOKE; i++) {
      const raw = JSON.stringify({ sourceId: `jd-${i % 20}`, content: `第 ${i} 条：请问保修多久？` });
      const t = Math.floor(Date.now() / 1000);
      const signature = `t=${t},v1=${createHmac('sha256', inbox.secret).update(`${t}.${raw}`).digest('hex')}`;
      const response = await fetch(`${server.origin}/public/v1/inboxes/${inbox.token}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-huike-signature': signature },
        body: raw,
      });
      if (response.status !== 201) throw new Error(`inbound → ${response.status}: ${await response.text()}`);
    }
    const smokeDelivered = await waitFor(() => receiver.acknowledged.size >= SMOKE, 30_000);
    if (!smokeDelivered) throw new Error(`only ${receiver.acknowledged.size} of ${SMOKE} message.created deliveries`);
    const payload = JSON.parse(receiver.sampleBody()) as { event: string; occurredAt: string; data: unknown };

    /** Queues `count` deliveries held an hour ahead, then releases them together; answers their ids. */
    async function queueBatch(count: number): Promise<string[]> {
      const ids = Array.from({ length: count }, () => randomUUID());
      for (let i = 0; i < ids.length; i += 1_000) {
        const slice = ids.slice(i, i + 1_000);
        await pool!.query(
          `insert into deliveries (id, workspace_id, kind, subject_id, payload, next_attempt_at)
           select id, $1, 'webhook', $2, $3, now() + interval '1 hour' from unnest($4::uuid[]) as id`,
          [workspaceId, endpoint.id, { ...payload, key: 'bench' }, slice],
        );
      }
      return ids;
    }

    async function measure(count: number, failureRate: number) {
      receiver.acknowledged.clear();
      receiver.setFailureRate(failureRate);
      const before = { ...receiver.stats };
      const ids = await queueBatch(count);
      const started = performance.now();
      await pool!.query(`update deliveries set next_attempt_at = now() where id = any($1::uuid[])`, [ids]);
      const done = await waitFor(
        () => ids.every((id) => receiver.acknowledged.has(id)) || receiver.acknowledged.size >= count,
        PHASE_TIMEOUT_MS,
      );
      // Let stragglers (a duplicate would arrive now) land before counting.
      await sleep(done ? 2_000 : 0);
      const lastAck = receiver.stats.lastAckAt;
      const acked = ids.filter((id) => receiver.acknowledged.has(id));
      const duplicated = ids.filter((id) => (receiver.acknowledged.get(id) ?? 0) > 1).length;
      const states = (
        await pool!.query<{ status: string; count: string }>(
          `select status, count(*) from deliveries where id = any($1::uuid[]) group by status`,
          [ids],
        )
      ).rows;
      return {
        per_s: round(acked.length / ((lastAck - started) / 1000), 0),
        lost: count - acked.length,
        duplicated,
        requests: receiver.stats.requests - before.requests,
        failed: receiver.stats.failed - before.failed,
        badSignature: receiver.stats.badSignature - before.badSignature,
        states: Object.fromEntries(states.map((row) => [row.status, Number(row.count)])),
      };
    }

    const healthy = await measure(N, 0);
    await sleep(1_000);
    const failing = await measure(N, FAILURE_RATE);

    return {
      dataset: {
        deliveries_per_phase: N,
        smoke_message_created_count: SMOKE,
        failure_rate: FAILURE_RATE,
        receiver: 'node:http on 127.0.0.1, verifies every signature, 204 on success / 500 on failure',
        retry_backoff: 'HUIKE_OUTBOX_BACKOFF_SCALE=0.001 (10 ms, 30 ms, 120 ms, …)',
        phase1_states: healthy.states,
        phase2_states: failing.states,
        phase2_requests_count: failing.requests,
        phase2_failed_requests_count: failing.failed,
        quick: QUICK,
      },
      metrics: {
        deliveries_per_s: healthy.per_s,
        deliveries_per_s_with_failures: failing.per_s,
        lost_count: healthy.lost + failing.lost,
        duplicated_count: healthy.duplicated + failing.duplicated,
        bad_signature_count: healthy.badSignature + failing.badSignature,
      },
      reference: {},
      targets: [
        { metric: 'deliveries_per_s', op: '>=', value: 1000, rule: 'local receiver, all answered 2xx' },
        { metric: 'lost_count', op: '<=', value: 0, rule: `receiver failing ${FAILURE_RATE * 100}% of requests` },
        { metric: 'duplicated_count', op: '<=', value: 0, rule: 'counted by X-Huike-Delivery id' },
        { metric: 'bad_signature_count', op: '<=', value: 0 },
      ],
    };
  } catch (error) {
    if (server) console.error(`  server log (last lines):\n${server.logTail(60)}`);
    throw error;
  } finally {
    await pool?.end().catch(() => {});
    receiver.server.closeAllConnections();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    if (server) {
      await server.stop();
      fs.rmSync(server.workDir, { recursive: true, force: true });
    }
  }
}
