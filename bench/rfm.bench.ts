/**
 * rfm: the full RFM + lifecycle recompute (`customers.recompute_value`, the job the nightly schedule and the
 * settings page's "重新计算" button queue) on the shared benchmark shop (bench/datasets/shop.ts: 1M customers,
 * ≈3M Pareto-distributed orders by default), run by the real server's worker, and what it does to the inbox
 * meanwhile.
 *
 * Workload, each a full run of the job (every customer read and scored; only changed rows written):
 *   catch-up  first brings the shop's values to today (the generator computed them for a fixed date); timed,
 *             not targeted — its size depends on how old the dataset is;
 *   nightly   every RFM recency and lifecycle threshold one day shorter: exactly the customers one more day
 *             moves, i.e. tomorrow night's run — the targeted `recompute_s`; then the settings put back (the
 *             same work again) so the shop is left as found;
 *   rewrite   monetary bounds one step lower, which moves ≈ every buyer's M score: the heaviest recompute a
 *             settings change causes (every buyer's row rewritten); then put back. Reported, not targeted.
 *             HUIKE_BENCH_RFM_REWRITE=0 skips it.
 * The round trips' timeline entries are deleted afterwards.
 *
 * Latency: while each recompute runs, a steady few requests per second (open loop, RATE_PER_S) of the two
 * calls an agent's inbox makes all the time — `GET /api/v1/conversations` and `GET /api/v1/customers/:id` —
 * through the real HTTP server. Reference, same run: the same load for REFERENCE_S just before the recompute.
 *
 * Env: HUIKE_BENCH_CUSTOMERS (dataset size, default 1,000,000), HUIKE_BENCH_RFM_RATE (requests/s, default 5).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { CustomerValueSettings } from '@huike/contracts';
import type { ApiClient } from '../scripts/lib/huike-server.ts';
import { sleep } from '../scripts/lib/huike-server.ts';
import { openShop, type Shop } from './datasets/shop.ts';
import { quantile, round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const RATE_PER_S = Number(process.env.HUIKE_BENCH_RFM_RATE ?? 5);
const REFERENCE_S = 30;
const CONVERSATIONS = 60;
const JOB_TIMEOUT_MS = 30 * 60_000;
const JOB = 'customers.recompute_value';
const REWRITE = process.env.HUIKE_BENCH_RFM_REWRITE !== '0';

type Sample = { at: number; ms: number; status: number; kind: 'conversations' | 'customer' };

/** Open-loop sampler: fires a request every 1/RATE_PER_S s (not waiting for the previous one) until stopped. */
function startSampler(api: ApiClient, customerIds: string[]) {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let sequence = 0;
  const fire = () => {
    const index = sequence++;
    const kind = index % 2 === 0 ? 'conversations' : 'customer';
    const url =
      kind === 'conversations'
        ? '/api/v1/conversations?limit=30'
        : `/api/v1/customers/${customerIds[(index >> 1) % customerIds.length]}`;
    const started = performance.now();
    const request = api
      .raw('GET', url)
      .then(async (response) => {
        await response.arrayBuffer();
        samples.push({ at: started, ms: performance.now() - started, status: response.status, kind });
      })
      .catch(() => {
        samples.push({ at: started, ms: performance.now() - started, status: 0, kind });
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const loop = (async () => {
    const interval = 1000 / RATE_PER_S;
    const begin = performance.now();
    for (let tick = 0; !stopped; tick++) {
      const due = begin + tick * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (!stopped) fire();
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      return samples;
    },
  };
}

function summarize(samples: Sample[]) {
  const ok = samples.filter((sample) => sample.status === 200);
  const of = (kind: Sample['kind']) => ok.filter((sample) => sample.kind === kind).map((sample) => sample.ms);
  const all = ok.map((sample) => sample.ms);
  return {
    requests: samples.length,
    errors: samples.length - ok.length,
    p50: round(quantile(all, 0.5), 1),
    p99: round(quantile(all, 0.99), 1),
    max: round(Math.max(...all), 1),
    conversationsP99: round(quantile(of('conversations'), 0.99), 1),
    customerP99: round(quantile(of('customer'), 0.99), 1),
  };
}

/** Waits until no recompute of the workspace is queued or running (the server queues the nightly one at start). */
async function untilNoRecompute(shop: Shop) {
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (let announced = false; ; ) {
    const { rows } = await shop.pool.query(
      `select id from jobs where workspace_id = $1 and kind = $2 and status in ('queued', 'running')`,
      [shop.workspaceId, JOB],
    );
    if (rows.length === 0) return;
    if (!announced) console.log('  waiting for the recompute the server queued at start…');
    announced = true;
    if (Date.now() > deadline) throw new Error('a queued recompute did not finish');
    await sleep(1000);
  }
}

/** Queues the recompute through the API and waits for it; the job's own start and finish times from `jobs`. */
async function recompute(shop: Shop) {
  const queuedAt = performance.now();
  const job = await shop.api.request<{ id: string }>('POST', '/api/v1/settings/customer-value/recompute');
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (;;) {
    const view = await shop.api.request<{ status: string; result: unknown; error: unknown }>(
      'GET',
      `/api/v1/jobs/${job.id}`,
    );
    if (view.status === 'failed') throw new Error(`recompute failed: ${JSON.stringify(view.error)}`);
    if (view.status === 'succeeded') {
      const wallS = (performance.now() - queuedAt) / 1000;
      const { rows } = await shop.pool.query<{ run_s: number }>(
        'select extract(epoch from finished_at - started_at)::float8 as run_s from jobs where id = $1',
        [job.id],
      );
      return {
        runS: rows[0]!.run_s,
        wallS,
        result: view.result as { scanned: number; updated: number; transitions: number },
      };
    }
    if (Date.now() > deadline) throw new Error('recompute did not finish in time');
    await sleep(250);
  }
}

/** A few open website conversations for the inbox list to show (created once per dataset, same visitors). */
async function ensureConversations(shop: Shop) {
  const { rows } = await shop.pool.query<{ count: number }>(
    'select count(*)::int as count from conversations where workspace_id = $1',
    [shop.workspaceId],
  );
  if (rows[0]!.count >= CONVERSATIONS) return rows[0]!.count;
  const inbox = await shop.pool.query<{ token: string }>(
    'select token from inboxes where workspace_id = $1 order by id limit 1',
    [shop.workspaceId],
  );
  const token = inbox.rows[0]!.token;
  for (let i = rows[0]!.count; i < CONVERSATIONS; i++) {
    const visitor = await shop.api.request<{ sourceId: string; visitorToken: string }>(
      'POST',
      `/public/v1/inboxes/${token}/visitors`,
      {},
    );
    await shop.api.request(
      'POST',
      `/public/v1/inboxes/${token}/messages`,
      {
        sourceId: visitor.sourceId,
        content: `你好，我的订单什么时候发货？（${i + 1}）`,
        clientMsgId: `rfm-bench-${i}`,
      },
      { 'x-huike-visitor-token': visitor.visitorToken },
    );
  }
  return CONVERSATIONS;
}

/** The 1, 5 and 15 minute load averages: the machine is shared, so the noise goes into the result. */
const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');

/** The recompute with the load running; answers its timing and the latency seen meanwhile. */
async function measuredRecompute(shop: Shop, customerIds: string[]) {
  const sampler = startSampler(shop.api, customerIds);
  const run = await recompute(shop);
  return { ...run, latency: summarize(await sampler.stop()) };
}

type Measured = Awaited<ReturnType<typeof measuredRecompute>>;

/** Runs the recompute under `changed` settings, then again with the settings put back; both measured. */
async function roundTrip(
  shop: Shop,
  customerIds: string[],
  label: string,
  settings: CustomerValueSettings,
  changed: CustomerValueSettings,
) {
  let there: Measured;
  await shop.api.request('PUT', '/api/v1/settings/customer-value', changed);
  try {
    console.log(`  ${label}…`);
    there = await measuredRecompute(shop, customerIds);
    console.log(`    ${round(there.runS, 1)} s, ${JSON.stringify(there.result)}, inbox p99 ${there.latency.p99} ms`);
  } finally {
    await shop.api.request('PUT', '/api/v1/settings/customer-value', settings);
  }
  console.log(`  ${label}: settings put back…`);
  const back = await measuredRecompute(shop, customerIds);
  console.log(`    ${round(back.runS, 1)} s, ${JSON.stringify(back.result)}, inbox p99 ${back.latency.p99} ms`);
  return [there, back] as const;
}

const minusOneDay = ([a, b, c, d]: readonly [number, number, number, number]) =>
  [a - 1, b - 1, c - 1, d - 1] as [number, number, number, number];

export async function run(): Promise<BenchResult> {
  const shop = await openShop();
  const { api } = shop;
  const loadAtStart = loadAverage();
  await untilNoRecompute(shop);
  const conversations = await ensureConversations(shop);
  const customerIds = shop.sample.customers.map((customer) => customer.id);
  const settings = await api.request<CustomerValueSettings>('GET', '/api/v1/settings/customer-value');

  // Catch up first: the generated values were computed for the dataset's fixed "now", and the nightly run may
  // not have happened yet on this copy. Timed, not targeted: its size depends on the dataset's age.
  console.log('  catch-up recompute (values as of today)…');
  const catchUp = await recompute(shop);
  console.log(`    ${round(catchUp.runS, 1)} s, ${JSON.stringify(catchUp.result)}`);
  const since = (await shop.pool.query<{ now: string }>('select now()::text as now')).rows[0]!.now;

  console.log(`  reference: ${REFERENCE_S} s of inbox requests at ${RATE_PER_S}/s, nothing else running…`);
  const warmup = startSampler(api, customerIds);
  await sleep(3000);
  await warmup.stop();
  const referenceSampler = startSampler(api, customerIds);
  await sleep(REFERENCE_S * 1000);
  const reference = summarize(await referenceSampler.stop());
  console.log(`    p50 ${reference.p50} ms, p99 ${reference.p99} ms (${reference.requests} requests)`);

  // Tomorrow night's work, today: every threshold one day shorter moves exactly the customers a day moves.
  const { rfm, lifecycle } = settings;
  const nightly = await roundTrip(shop, customerIds, 'nightly recompute (thresholds one day shorter)', settings, {
    ...settings,
    rfm: { ...rfm, recencyDays: minusOneDay(rfm.recencyDays) },
    lifecycle: {
      newDays: lifecycle.newDays - 1,
      dormantDays: lifecycle.dormantDays - 1,
      churnedDays: lifecycle.churnedDays - 1,
    },
  });
  // The heaviest: a settings change that moves ≈ every buyer's M score, so every buyer's row is rewritten.
  const rewrite = REWRITE
    ? await roundTrip(shop, customerIds, 'rewrite recompute (monetary bounds one step lower)', settings, {
        ...settings,
        rfm: {
          ...rfm,
          monetaryFen: [Math.floor(rfm.monetaryFen[0] / 2), rfm.monetaryFen[0], rfm.monetaryFen[1], rfm.monetaryFen[2]],
        },
      })
    : [];
  // The round trips' timeline entries (there and back again) are the benchmark's, not the shop's.
  await shop.pool.query(
    `delete from customer_events where workspace_id = $1 and kind = 'lifecycle.changed' and created_at >= $2::timestamptz`,
    [shop.workspaceId, since],
  );

  const measured = [...nightly, ...rewrite];
  const max = (values: number[]) => Math.max(...values);
  const duringP99 = max(measured.map((run) => run.latency.p99));
  return {
    dataset: {
      ...shop.dataset,
      conversations,
      workload:
        'nightly: every RFM/lifecycle threshold one day shorter (the customers one day moves), then put back; ' +
        'rewrite: monetary bounds one step lower (≈ every buyer rewritten), then put back; each one full job run',
      requestsPerS: RATE_PER_S,
      referenceS: REFERENCE_S,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAverage(),
    },
    metrics: {
      recompute_s: round(max(nightly.map((run) => run.runS)), 1),
      recompute_wall_s: round(max(nightly.map((run) => run.wallS)), 1),
      customers_scanned: nightly[0].result.scanned,
      customers_per_s: round(nightly[0].result.scanned / max(nightly.map((run) => run.runS)), 0),
      nightly_updated: nightly[0].result.updated,
      nightly_transitions: nightly[0].result.transitions,
      ...(rewrite.length
        ? {
            rewrite_recompute_s: round(max(rewrite.map((run) => run.runS)), 1),
            rewrite_updated: rewrite[0]!.result.updated,
            rewrite_rows_per_s: round(rewrite[0]!.result.updated / rewrite[0]!.runS, 0),
          }
        : {}),
      catch_up_recompute_s: round(catchUp.runS, 1),
      catch_up_updated: catchUp.result.updated,
      catch_up_transitions: catchUp.result.transitions,
      inbox_p50_during_ms: max(measured.map((run) => run.latency.p50)),
      inbox_p99_during_ms: duringP99,
      inbox_p99_during_nightly_ms: max(nightly.map((run) => run.latency.p99)),
      ...(rewrite.length ? { inbox_p99_during_rewrite_ms: max(rewrite.map((run) => run.latency.p99)) } : {}),
      inbox_max_during_ms: max(measured.map((run) => run.latency.max)),
      conversations_p99_during_ms: max(measured.map((run) => run.latency.conversationsP99)),
      customer_p99_during_ms: max(measured.map((run) => run.latency.customerP99)),
      inbox_requests_during: measured.reduce((sum, run) => sum + run.latency.requests, 0),
      inbox_errors_during: measured.reduce((sum, run) => sum + run.latency.errors, 0),
      inbox_p99_slowdown_x: round(duringP99 / reference.p99, 2),
    },
    reference: {
      inbox_p50_ms: reference.p50,
      inbox_p99_ms: reference.p99,
      conversations_p99_ms: reference.conversationsP99,
      customer_p99_ms: reference.customerP99,
      inbox_requests: reference.requests,
      inbox_errors: reference.errors,
    },
    targets: [
      { metric: 'recompute_s', op: '<=', value: 60 },
      { metric: 'inbox_errors_during', op: '<=', value: 0 },
    ],
  };
}
