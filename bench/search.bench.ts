/**
 * search: customer search latency through the real HTTP API on the shared benchmark shop (bench/datasets/shop.ts,
 * 1M customers by default), per query class: 1 character, 2 characters, full pinyin, initials, phone fragment
 * (plus email and order number, untargeted). Queries come from the dataset's own sample customers, one request
 * at a time (a person typing), after one warm-up pass.
 *
 * Reference, same run, same cluster: the same queries as a plain ILIKE sequential scan over name and phone
 * (`name ilike '%q%' or phone ilike '%q%'`, newest 30), index scans disabled; speed-up = reference p50 / p50.
 */
import { performance } from 'node:perf_hooks';
import { toInitials, toPinyin } from '../apps/server/src/platform/text/index.ts';
import { openShop } from './datasets/shop.ts';
import { quantile, round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const PER_CLASS = Number(process.env.HUIKE_BENCH_SEARCH_QUERIES ?? 200);
const REFERENCE_PER_CLASS = 8;
const LIMIT = 30;

const CLASSES = ['one_char', 'two_char', 'pinyin', 'initials', 'phone'] as const;
type QueryClass = (typeof CLASSES)[number] | 'email' | 'order_no';

function queriesFor(
  sample: { name: string; phone: string; email: string | null }[],
  orders: { orderNo: string; trackingNo: string | null }[],
): Record<QueryClass, string[]> {
  const cycle = <T>(items: T[], count: number) => Array.from({ length: count }, (_, i) => items[i % items.length] as T);
  const names = sample.map((customer) => customer.name).filter((name) => [...name].length >= 2);
  const chars = [...'王李张刘陈杨黄赵吴周徐明华伟芳丽军玲婷欧单覃璐'];
  const phones = sample.map((customer) => customer.phone.replace(/\D/g, ''));
  const phoneFragments = phones.map((phone, i) =>
    i % 4 === 0 ? phone.slice(0, 3) : i % 4 === 1 ? phone.slice(-4) : i % 4 === 2 ? phone.slice(3, 7) : '0571',
  );
  return {
    one_char: cycle(chars, PER_CLASS),
    two_char: cycle(
      names.map((name, i) => (i % 2 === 0 ? [...name].slice(0, 2).join('') : [...name].slice(-2).join(''))),
      PER_CLASS,
    ),
    pinyin: cycle(
      names.map((name) => toPinyin(name, { isName: true })),
      PER_CLASS,
    ),
    initials: cycle(
      names.map((name) => toInitials(name, { isName: true })),
      PER_CLASS,
    ),
    phone: cycle(phoneFragments, PER_CLASS),
    email: cycle(
      sample.flatMap((customer) => (customer.email ? [customer.email.split('@')[0]!] : [])),
      Math.ceil(PER_CLASS / 4),
    ),
    order_no: cycle(
      orders.flatMap((order) => [order.orderNo, ...(order.trackingNo ? [order.trackingNo] : [])]),
      Math.ceil(PER_CLASS / 4),
    ),
  };
}

export async function run(): Promise<BenchResult> {
  const shop = await openShop();
  const { api, pool, workspaceId } = shop;
  const queries = queriesFor(shop.sample.customers, shop.sample.orders);

  const search = async (q: string) => {
    const started = performance.now();
    const response = await api.raw('GET', `/api/v1/customers?limit=${LIMIT}&q=${encodeURIComponent(q)}`);
    const body = (await response.json()) as { items?: unknown[] };
    if (response.status !== 200) throw new Error(`search ${q} → ${response.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, hits: body.items?.length ?? 0 };
  };

  console.log('  warm-up…');
  for (const list of Object.values(queries)) for (const q of list.slice(0, 40)) await search(q);

  const metrics: Record<string, number> = {};
  const reference: Record<string, number> = {};
  for (const [name, list] of Object.entries(queries) as [QueryClass, string[]][]) {
    const times: number[] = [];
    let empty = 0;
    for (const q of list) {
      const { ms, hits } = await search(q);
      times.push(ms);
      if (hits === 0) empty++;
    }
    metrics[`${name}_p50_ms`] = round(quantile(times, 0.5), 2);
    metrics[`${name}_p95_ms`] = round(quantile(times, 0.95), 2);
    metrics[`${name}_empty_pct`] = round((empty / list.length) * 100, 1);
    console.log(`  ${name}: p50 ${metrics[`${name}_p50_ms`]} ms, p95 ${metrics[`${name}_p95_ms`]} ms`);
  }

  // Reference: plain ILIKE over name/phone, sequential scan, same first queries of each class.
  const client = await pool.connect();
  try {
    await client.query('set enable_indexscan = off');
    await client.query('set enable_bitmapscan = off');
    await client.query('set enable_indexonlyscan = off');
    for (const name of CLASSES) {
      const times: number[] = [];
      for (const q of queries[name].slice(0, REFERENCE_PER_CLASS)) {
        const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const started = performance.now();
        await client.query(
          `select * from customers where workspace_id = $1 and (name ilike $2 or phone ilike $2)
            order by id desc limit ${LIMIT}`,
          [workspaceId, pattern],
        );
        times.push(performance.now() - started);
      }
      reference[`${name}_ilike_seqscan_p50_ms`] = round(quantile(times, 0.5), 1);
      metrics[`${name}_speedup_x`] = round(quantile(times, 0.5) / (metrics[`${name}_p50_ms`] as number), 1);
    }
  } finally {
    client.release();
  }

  return {
    dataset: { ...shop.dataset, queriesPerClass: PER_CLASS, pageSize: LIMIT },
    metrics,
    reference,
    targets: CLASSES.map((name) => ({ metric: `${name}_p95_ms`, op: '<=' as const, value: 30 })),
  };
}
