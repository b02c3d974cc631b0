/**
 * The shared benchmark shop: N customers (default 1,000,000) with realistic Chinese names, mobile numbers,
 * emails, regions, search columns, Pareto-distributed orders (≈3 per customer on average, most of them from a
 * few heavy buyers), RFM and lifecycle columns, and a few tags — loaded into a real Huike server's embedded
 * PostgreSQL with COPY.
 *
 * Deterministic: the same N and seed give the same rows (each customer draws from its own seeded generator,
 * so the customers pass and the orders pass agree without holding 3M orders in memory).
 *
 * Cache: the loaded server's work directory is kept under bench/.cache/shop-<N>-<seed>-v<version>-<migrations>,
 * and `openShop()` is memoised, so every benchmark of one `npm run bench` shares one server and one dataset, and
 * later runs start from the loaded data (seconds) instead of generating it again. HUIKE_BENCH_FRESH=1 rebuilds.
 * Cost on the 2-core reference machine (1M customers, 3.06M orders, 1.4M customer tags): 289 s with the machine
 * otherwise fairly quiet (customers 64 s, orders 119 s, tags 16 s, index builds 75 s, vacuum 10 s), 831 s while
 * other test suites ran; `dataset.generateAndLoadS` in each result says what the build took (`cached` tells reuse).
 * The cache directory holds ≈3 GB at 1M. The key includes the migration file names, so a new migration rebuilds.
 *
 * Env: HUIKE_BENCH_CUSTOMERS (default 1000000), HUIKE_BENCH_SEED (default 1), HUIKE_BENCH_SHOP_DIR (use this loaded
 * shop directory instead of the cache, e.g. a private copy while another process holds the cache).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as OpenCC from 'opencc-js';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { searchColumns } from '../../apps/server/src/modules/customers/customer-search.ts';
import {
  ApiClient,
  isAlive,
  OWNER,
  repoRoot,
  type StartedServer,
  setupWorkspace,
  sleep,
  startHuikeServer,
} from '../../scripts/lib/huike-server.ts';

export const DATASET_VERSION = 2;
const DAY_MS = 86_400_000;

// --- deterministic randomness ----------------------------------------------------------------------------------

/** mulberry32: tiny, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mix = (a: number, b: number) =>
  (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;

/** A weighted picker: O(log n) per draw. */
function weighted<T>(entries: readonly (readonly [T, number])[]): (random: () => number) => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const [, weight] of entries) {
    total += weight;
    cumulative.push(total);
  }
  return (random) => {
    const target = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return (entries[lo] as readonly [T, number])[0];
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

// --- realistic values ------------------------------------------------------------------------------------------

// Surname frequencies (percent of the population, rounded; census order), a few compound and polyphonic ones.
const SURNAMES = weighted(
  (
    '王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 黄2.1 赵2.0 吴2.0 周1.9 徐1.5 孙1.5 马1.2 朱1.2 胡1.1 郭1.1 何1.0 ' +
    '林1.0 罗0.9 高0.9 郑0.8 梁0.8 谢0.7 宋0.7 唐0.7 许0.6 韩0.6 冯0.6 邓0.6 曹0.5 彭0.5 曾0.5 肖0.5 田0.5 ' +
    '董0.5 袁0.4 潘0.4 于0.4 蒋0.4 蔡0.4 余0.4 杜0.4 叶0.4 程0.3 苏0.3 魏0.3 吕0.3 丁0.3 任0.3 沈0.3 姚0.3 ' +
    '卢0.3 姜0.3 崔0.3 钟0.3 谭0.3 陆0.2 汪0.2 范0.2 金0.2 石0.2 廖0.2 贾0.2 夏0.2 韦0.2 付0.2 方0.2 白0.2 ' +
    '邹0.2 孟0.2 熊0.2 秦0.2 邱0.2 江0.2 尹0.2 薛0.2 闫0.2 段0.2 雷0.2 侯0.2 龙0.2 史0.2 陶0.1 黎0.1 贺0.1 ' +
    '顾0.1 毛0.1 郝0.1 龚0.1 邵0.1 万0.1 钱0.1 严0.1 覃0.1 武0.1 戴0.1 莫0.1 孔0.1 向0.1 汤0.1 单0.05 ' +
    '欧阳0.05 司马0.02 上官0.01 诸葛0.01 解0.03 仇0.02 区0.02 查0.02 朴0.02'
  )
    .split(' ')
    .map((entry) => [entry.replace(/[\d.]+$/, ''), Number(entry.match(/[\d.]+$/)?.[0])] as const),
);

// Common given-name characters, roughly most frequent first (earlier ones are drawn more often).
const GIVEN_CHARS = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣晨琳颖雪梅婷慧莉兰凤洁琴云丹倩佳嘉欢怡瑶雨萱梓涵子轩博文思睿晓海建国志永春金亮成辉峰新光天东立燕玲晶彬亚楠阳震家毅瑞晖昊然诗悦可馨妍一诺安若晴辰泽宏荣德世小彤蕾冰青璐露珊薇莹蓉岚',
];
const GIVEN = weighted(GIVEN_CHARS.map((char, index) => [char, 1 / Math.sqrt(index + 3)] as const));

const MOBILE_PREFIXES = [
  ...'130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159'.split(' '),
  ...'180 181 182 183 184 185 186 187 188 189 191 193 195 196 197 198 199 166 177 176 173'.split(' '),
];
const AREA_CODES = ['010', '021', '020', '0755', '0571', '025', '028', '027', '029', '0512', '0574', '0731'];
const REGIONS = weighted(
  (
    '广东省广州市4 广东省深圳市4 浙江省杭州市3 浙江省宁波市1.5 江苏省南京市2 江苏省苏州市2.5 上海市3.5 ' +
    '北京市3.5 四川省成都市3 湖北省武汉市2.5 陕西省西安市2 山东省青岛市1.5 山东省济南市1.5 河南省郑州市2 ' +
    '湖南省长沙市2 福建省厦门市1 福建省福州市1 重庆市2.5 天津市1.5 安徽省合肥市1.5 辽宁省沈阳市1 ' +
    '云南省昆明市1 广西壮族自治区南宁市1 河北省石家庄市1 黑龙江省哈尔滨市1 江西省南昌市1'
  )
    .split(' ')
    .map((entry) => [entry.replace(/[\d.]+$/, ''), Number(entry.match(/[\d.]+$/)?.[0])] as const),
);
const EMAIL_DOMAINS = weighted([
  ['qq.com', 50],
  ['163.com', 20],
  ['126.com', 8],
  ['gmail.com', 5],
  ['foxmail.com', 5],
  ['sina.com', 4],
  ['outlook.com', 4],
  ['hotmail.com', 4],
]);
const PLATFORMS = weighted([
  ['taobao', 35],
  ['tmall', 20],
  ['jd', 15],
  ['douyin', 15],
  ['pdd', 10],
  ['website', 5],
] as const);
const CARRIERS = weighted([
  [{ name: '顺丰速运', prefix: 'SF', digits: 12 }, 25],
  [{ name: '中通快递', prefix: '7', digits: 12 }, 30],
  [{ name: '圆通速递', prefix: 'YT', digits: 13 }, 25],
  [{ name: '韵达快递', prefix: '4', digits: 13 }, 10],
  [{ name: '京东物流', prefix: 'JDV', digits: 12 }, 10],
] as const);
const SOURCES = weighted([
  ['taobao', 30],
  ['douyin', 20],
  ['website', 20],
  ['jd', 10],
  ['wechat', 15],
  ['offline', 5],
]);
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

const digits = (random: () => number, count: number) => {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random() * 10);
  return out;
};

function uuidv7(ms: number, random: () => number): string {
  const hex = (value: number, width: number) => Math.floor(value).toString(16).padStart(width, '0');
  const time = hex(ms, 12);
  const r = () => hex(random() * 0x10000, 4);
  const variant = (0x8000 | Math.floor(random() * 0x4000)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${r().slice(1)}-${variant}-${r()}${r()}${r()}`;
}

// --- one customer and its orders -------------------------------------------------------------------------------

export type ShopOptions = { customers: number; seed: number; now: number };

type Order = {
  placedAt: number;
  amountFen: number;
  platform: string;
  status: string;
  random: () => number;
};

/** The customer's creation time: spread over three years, increasing with the index (ids sort by time). */
const createdAtOf = (options: ShopOptions, index: number) =>
  options.now - 3 * 365 * DAY_MS + Math.floor(((index + 0.5) / options.customers) * 3 * 365 * DAY_MS);

/** Pareto-distributed order counts: 35% never order; buyers average ≈4.6 orders (Pareto α 1.12, capped at 300), a few order hundreds. */
function ordersOf(options: ShopOptions, index: number): Order[] {
  const random = prng(mix(options.seed * 7 + 3, index));
  if (random() < 0.35) return [];
  const count = Math.min(300, Math.floor(1 / (1 - random()) ** (1 / 1.12)));
  const createdAt = createdAtOf(options, index);
  const span = options.now - createdAt;
  const orders: Order[] = [];
  for (let i = 0; i < count; i++) {
    const placedAt = createdAt + Math.floor(random() ** 0.7 * span);
    // Log-normal-ish basket: median ≈ ¥120.
    const amountFen = Math.max(990, Math.round(Math.exp(9.4 + (random() + random() + random() - 1.5) * 1.4)));
    const age = options.now - placedAt;
    const status =
      age < 2 * DAY_MS ? 'paid' : age < 6 * DAY_MS ? 'shipped' : random() < 0.05 ? 'refunded' : 'completed';
    orders.push({ placedAt, amountFen, platform: PLATFORMS(random), status, random });
  }
  return orders.sort((a, b) => a.placedAt - b.placedAt);
}

function rfm(orders: Order[], now: number) {
  if (orders.length === 0) return { r: null, f: null, m: null, tier: null, stage: 'prospect' };
  const last = orders.at(-1)!.placedAt;
  const days = (now - last) / DAY_MS;
  const spentYuan = orders.reduce((sum, order) => sum + order.amountFen, 0) / 100;
  const r = days <= 30 ? 5 : days <= 90 ? 4 : days <= 180 ? 3 : days <= 365 ? 2 : 1;
  const n = orders.length;
  const f = n >= 10 ? 5 : n >= 5 ? 4 : n >= 3 ? 3 : n === 2 ? 2 : 1;
  const m = spentYuan >= 3000 ? 5 : spentYuan >= 1000 ? 4 : spentYuan >= 300 ? 3 : spentYuan >= 100 ? 2 : 1;
  const tier =
    r >= 4 && f >= 4 ? 'loyal' : r >= 4 && f === 1 ? 'new' : r >= 3 ? 'potential' : r === 2 ? 'winback' : 'churned';
  const stage = days > 365 ? 'churned' : days > 180 ? 'dormant' : n === 1 ? 'new' : 'active';
  return { r, f, m, tier, stage };
}

// --- COPY text format ------------------------------------------------------------------------------------------

const esc = (value: string) =>
  value.replace(/[\\\t\n\r]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\'));
const cell = (value: string | number | null | undefined) =>
  value === null || value === undefined ? '\\N' : typeof value === 'number' ? String(value) : esc(value);
const arrayCell = (values: string[]) =>
  esc(`{${values.map((value) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const CUSTOMER_COLUMNS = [
  'id',
  'workspace_id',
  'name',
  'phone',
  'email',
  'phones',
  'emails',
  'gender',
  'birthday',
  'region',
  'source',
  'created_at',
  'updated_at',
  'profile_updated_at',
  'order_count',
  'total_spent_fen',
  'first_order_at',
  'last_order_at',
  'rfm_r',
  'rfm_f',
  'rfm_m',
  'rfm_tier',
  'lifecycle_stage',
  'search_name',
  'search_text',
  'search_grams',
  'search_pinyin',
  'search_initials',
  'search_phone',
  'search_phones',
  'search_email',
  'search_emails',
  'search_version',
  'tag_ids',
];

const ORDER_COLUMNS = [
  'id',
  'workspace_id',
  'customer_id',
  'platform',
  'order_no',
  'status',
  'amount_fen',
  'placed_at',
  'paid_at',
  'shipped_at',
  'completed_at',
  'tracking_company',
  'tracking_no',
  'created_at',
  'updated_at',
];

/** Everything about customer `index` that other rows refer to. */
function customerId(options: ShopOptions, index: number) {
  return uuidv7(createdAtOf(options, index), prng(mix(options.seed * 7 + 1, index)));
}

const pinyinCache = new Map<string, ReturnType<typeof searchColumns>>();

function* customerLines(
  options: ShopOptions,
  workspaceId: string,
  sample: SampleCollector,
  tags: TagPlan,
): Generator<string> {
  for (let index = 0; index < options.customers; index++) {
    const random = prng(mix(options.seed * 7 + 2, index));
    const surname = SURNAMES(random);
    let name = surname + GIVEN(random) + (random() < 0.7 ? GIVEN(random) : '');
    if (random() < 0.03) name = toTraditional(name);
    const isLandline = random() < 0.02;
    const phone = isLandline
      ? `${pick(random, AREA_CODES)}-${digits(random, 8)}`
      : pick(random, MOBILE_PREFIXES) + digits(random, 8);
    const phones = random() < 0.08 ? [pick(random, MOBILE_PREFIXES) + digits(random, 8)] : [];
    const email = random() < 0.3 ? `${digits(random, 5 + Math.floor(random() * 5))}@${EMAIL_DOMAINS(random)}` : null;
    const gender = random() < 0.55 ? 'female' : random() < 0.9 ? 'male' : 'unknown';
    const birthday =
      random() < 0.4
        ? new Date(Date.UTC(1960 + Math.floor(random() * 45), Math.floor(random() * 12), 1 + Math.floor(random() * 28)))
            .toISOString()
            .slice(0, 10)
        : null;
    const region = REGIONS(random);
    const source = SOURCES(random);
    const createdAt = createdAtOf(options, index);
    const orders = ordersOf(options, index);
    const value = rfm(orders, options.now);
    // Name-derived columns repeat a lot (a few hundred thousand distinct names): compute each once.
    let nameColumns = pinyinCache.get(name);
    if (!nameColumns) {
      nameColumns = searchColumns({ name });
      if (pinyinCache.size < 2_000_000) pinyinCache.set(name, nameColumns);
    }
    const contactColumns = searchColumns({ phone, phones, email });
    const id = customerId(options, index);
    sample.add(index, { id, name, phone, email });
    yield `${[
      cell(id),
      cell(workspaceId),
      cell(name),
      cell(phone),
      cell(email),
      arrayCell(phones),
      arrayCell([]),
      cell(gender),
      cell(birthday),
      cell(region),
      cell(source),
      cell(iso(createdAt)),
      cell(iso(createdAt)),
      cell(iso(createdAt)),
      cell(orders.length),
      cell(orders.reduce((sum, order) => sum + order.amountFen, 0)),
      cell(iso(orders[0]?.placedAt ?? null)),
      cell(iso(orders.at(-1)?.placedAt ?? null)),
      cell(value.r),
      cell(value.f),
      cell(value.m),
      cell(value.tier),
      cell(value.stage),
      cell(nameColumns.searchName),
      cell(nameColumns.searchText),
      arrayCell(nameColumns.searchGrams),
      cell(nameColumns.searchPinyin),
      cell(nameColumns.searchInitials),
      cell(contactColumns.searchPhone),
      cell(contactColumns.searchPhones),
      cell(contactColumns.searchEmail),
      cell(contactColumns.searchEmails),
      cell(nameColumns.searchVersion),
      arrayCell([...tags.of(index, orders)].sort()),
    ].join('\t')}\n`;
  }
}

function* orderLines(options: ShopOptions, workspaceId: string, sample: SampleCollector): Generator<string> {
  for (let index = 0; index < options.customers; index++) {
    const orders = ordersOf(options, index);
    if (orders.length === 0) continue;
    const owner = customerId(options, index);
    for (const [position, order] of orders.entries()) {
      const random = order.random;
      // Unique per platform like the real thing: the last 9 digits are a sequence (customer index, position).
      const sequence = String(index * 300 + position).padStart(9, '0');
      const orderNo =
        order.platform === 'jd'
          ? `${1 + Math.floor(random() * 8)}${digits(random, 6)}${sequence}`
          : order.platform === 'website'
            ? `W${new Date(order.placedAt).toISOString().slice(0, 10).replace(/-/g, '')}${sequence}`
            : `${1 + Math.floor(random() * 8)}${digits(random, 9)}${sequence}`;
      const carrier = order.status === 'paid' ? null : CARRIERS(random);
      const trackingNo = carrier ? carrier.prefix + digits(random, carrier.digits) : null;
      const paidAt = order.placedAt + Math.floor(random() * 600_000);
      const shippedAt = carrier ? paidAt + Math.floor(random() * 2 * DAY_MS) : null;
      const completedAt =
        order.status === 'completed' && shippedAt ? shippedAt + Math.floor((2 + random() * 5) * DAY_MS) : null;
      const id = uuidv7(order.placedAt, random);
      if (position === 0) sample.addOrder(index, orderNo, trackingNo);
      yield `${[
        cell(id),
        cell(workspaceId),
        cell(owner),
        cell(order.platform),
        cell(orderNo),
        cell(order.status),
        cell(order.amountFen),
        cell(iso(order.placedAt)),
        cell(iso(paidAt)),
        cell(iso(shippedAt)),
        cell(iso(completedAt)),
        cell(carrier?.name ?? null),
        cell(trackingNo),
        cell(iso(order.placedAt)),
        cell(iso(completedAt ?? shippedAt ?? paidAt)),
      ].join('\t')}\n`;
    }
  }
}

/** A few customers (evenly spread) kept aside so benchmarks can query values that exist. */
class SampleCollector {
  readonly customers: { id: string; name: string; phone: string; email: string | null }[] = [];
  readonly orders: { orderNo: string; trackingNo: string | null }[] = [];
  constructor(private readonly every: number) {}
  add(index: number, customer: { id: string; name: string; phone: string; email: string | null }) {
    if (index % this.every === 0) this.customers.push(customer);
  }
  addOrder(index: number, orderNo: string, trackingNo: string | null) {
    if (index % this.every === 0) this.orders.push({ orderNo, trackingNo });
  }
}

/** Batches generator lines into ~256 kB chunks for COPY. */
function chunked(lines: Generator<string>): Readable {
  return Readable.from(
    (function* () {
      let buffer: string[] = [];
      let size = 0;
      for (const line of lines) {
        buffer.push(line);
        size += line.length;
        if (size > 256_000) {
          yield buffer.join('');
          buffer = [];
          size = 0;
        }
      }
      if (buffer.length) yield buffer.join('');
    })(),
  );
}

async function copyInto(pool: pg.Pool, table: string, columns: string[], source: Readable) {
  const client = await pool.connect();
  try {
    // Foreign keys are the generator's job here; skipping their per-row triggers halves the load time.
    await client.query('set session_replication_role = replica').catch(() => {});
    const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
    await pipeline(source, stream);
  } finally {
    await client.query('reset session_replication_role').catch(() => {});
    client.release();
  }
}

/** Drops the secondary indexes of the tables (not those behind constraints), answers how to rebuild them. */
async function dropSecondaryIndexes(pool: pg.Pool, tables: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ indexname: string; indexdef: string }>(
    `select i.indexname, i.indexdef from pg_indexes i
      where i.schemaname = 'public' and i.tablename = any($1)
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    [tables],
  );
  for (const row of rows) await pool.query(`drop index if exists "${row.indexname}"`);
  return rows.map((row) => row.indexdef);
}

async function loadShop(pool: pg.Pool, options: ShopOptions, workspaceId: string, ownerId: string) {
  const sample = new SampleCollector(Math.max(1, Math.floor(options.customers / 2000)));
  const timings: Record<string, number> = {};
  const time = async (label: string, work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    timings[label] = Math.round((performance.now() - started) / 100) / 10;
    console.log(`    ${label}: ${timings[label]} s`);
  };
  const indexes = await dropSecondaryIndexes(pool, ['customers', 'orders', 'customer_tags']);
  const tags = await createTags(pool, options, workspaceId);
  await time('customersCopyS', () =>
    copyInto(pool, 'customers', CUSTOMER_COLUMNS, chunked(customerLines(options, workspaceId, sample, tags))),
  );
  await time('ordersCopyS', () =>
    copyInto(pool, 'orders', ORDER_COLUMNS, chunked(orderLines(options, workspaceId, sample))),
  );
  await time('tagsS', () => loadCustomerTags(pool, options, workspaceId, ownerId, tags));
  await time('indexesS', async () => {
    // Two at a time: the machine has two cores.
    const queue = [...indexes];
    await Promise.all(
      [0, 1].map(async () => {
        const client = await pool.connect();
        try {
          await client.query(`set maintenance_work_mem = '512MB'`);
          for (let next = queue.shift(); next; next = queue.shift()) await client.query(next);
        } finally {
          client.release();
        }
      }),
    );
  });
  await time('vacuumAnalyzeS', () => pool.query('vacuum analyze customers, orders, customer_tags'));
  const counts = (
    await pool.query<{ customers: number; orders: number; customer_tags: number }>(
      `select (select count(*) from customers where workspace_id = $1)::int as customers,
              (select count(*) from orders where workspace_id = $1)::int as orders,
              (select count(*) from customer_tags where workspace_id = $1)::int as customer_tags`,
      [workspaceId],
    )
  ).rows[0]!;
  return { timings, counts, sample: { customers: sample.customers, orders: sample.orders } };
}

/** Which tags each customer carries: drawn per customer from its own generator (and its orders, for 复购). */
type TagPlan = { of(index: number, orders: Order[]): string[] };

/**
 * Tag groups (status, source, behaviour) with a parent/child pair (电商平台 › 淘宝/京东, the children carrying
 * the data) and the default groups' 复购 (most repeat buyers) and 老客户 (half the customers older than a year);
 * ≈2 tags per customer. Creates the tags; the customers' `tag_ids` and `customer_tags` rows follow the plan.
 */
async function createTags(pool: pg.Pool, options: ShopOptions, workspaceId: string): Promise<TagPlan> {
  const random = prng(options.seed * 7 + 5);
  type PlannedTag = {
    name: string;
    parent?: string;
    share: number;
    /** Who may carry the tag at all (then `share` of them do). */
    eligible?: (index: number, orders: Order[]) => boolean;
  };
  const groups: { name: string; kind: string; selection: string; tags: PlannedTag[] }[] = [
    {
      name: '客户状态',
      kind: 'status',
      selection: 'single',
      tags: [
        { name: '潜在客户', share: 0.3 },
        { name: '已下单', share: 0.45 },
        { name: '售后客户', share: 0.08 },
        { name: '沉睡客户', share: 0.12 },
      ],
    },
    {
      name: '来源',
      kind: 'source',
      selection: 'multi',
      tags: [
        { name: '电商平台', share: 0.05 },
        { name: '淘宝', parent: '电商平台', share: 0.25 },
        { name: '京东', parent: '电商平台', share: 0.1 },
        { name: '抖音', share: 0.1 },
        { name: '官网', share: 0.08 },
      ],
    },
    {
      name: '行为',
      kind: 'behavior',
      selection: 'multi',
      tags: [
        { name: '高频咨询', share: 0.06 },
        { name: '爱砍价', share: 0.04 },
        { name: '退货多', share: 0.02 },
        { name: 'VIP', share: 0.01 },
        { name: '复购', share: 0.85, eligible: (_, orders) => orders.length >= 2 },
      ],
    },
    {
      // The default status group (workspaces are created with it): 老客户 there, as a shop would use it.
      name: '状态',
      kind: 'status',
      selection: 'single',
      tags: [
        {
          name: '老客户',
          share: 0.5,
          eligible: (index) => createdAtOf(options, index) < options.now - 365 * DAY_MS,
        },
      ],
    },
  ];
  const planned: (PlannedTag & { id: string; single?: string })[] = [];
  for (const [position, group] of groups.entries()) {
    // The workspace may already have default groups of the same names: reuse them.
    const groupId = (
      await pool.query<{ id: string }>(
        `insert into tag_groups (id, workspace_id, name, kind, selection, position) values ($1, $2, $3, $4, $5, $6)
         on conflict (workspace_id, name) do update set kind = excluded.kind, selection = excluded.selection
         returning id`,
        [uuidv7(options.now, random), workspaceId, group.name, group.kind, group.selection, position],
      )
    ).rows[0]!.id;
    const byName = new Map<string, string>();
    for (const [tagPosition, tag] of group.tags.entries()) {
      const id = (
        await pool.query<{ id: string }>(
          `insert into tags (id, workspace_id, group_id, parent_id, name, color, position)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (workspace_id, group_id, name) do update set parent_id = excluded.parent_id
           returning id`,
          [
            uuidv7(options.now, random),
            workspaceId,
            groupId,
            tag.parent ? byName.get(tag.parent) : null,
            tag.name,
            '#1677ff',
            tagPosition,
          ],
        )
      ).rows[0]!.id;
      byName.set(tag.name, id);
      planned.push({ ...tag, id, single: group.selection === 'single' ? groupId : undefined });
    }
  }
  return {
    of(index, orders) {
      const r = prng(mix(options.seed * 7 + 6, index));
      const singlesTaken = new Set<string>();
      const ids: string[] = [];
      for (const tag of planned) {
        if (r() >= tag.share) continue;
        if (tag.eligible && !tag.eligible(index, orders)) continue;
        if (tag.single) {
          if (singlesTaken.has(tag.single)) continue;
          singlesTaken.add(tag.single);
        }
        ids.push(tag.id);
      }
      return ids;
    },
  };
}

async function loadCustomerTags(
  pool: pg.Pool,
  options: ShopOptions,
  workspaceId: string,
  ownerId: string,
  tags: TagPlan,
) {
  function* lines(): Generator<string> {
    const at = iso(options.now);
    for (let index = 0; index < options.customers; index++) {
      const id = customerId(options, index);
      for (const tagId of tags.of(index, ordersOf(options, index))) {
        yield `${id}\t${workspaceId}\t${tagId}\t${ownerId}\t${at}\n`;
      }
    }
  }
  await copyInto(
    pool,
    'customer_tags',
    ['customer_id', 'workspace_id', 'tag_id', 'created_by', 'created_at'],
    chunked(lines()),
  );
}

// --- the shared, cached server ---------------------------------------------------------------------------------

export type Shop = {
  server: StartedServer;
  api: ApiClient;
  pool: pg.Pool;
  workspaceId: string;
  dataset: {
    customers: number;
    orders: number;
    customerTags: number;
    seed: number;
    version: number;
    cached: boolean;
    generateAndLoadS: number | null;
    timings: Record<string, number>;
  };
  sample: {
    customers: { id: string; name: string; phone: string; email: string | null }[];
    orders: { orderNo: string; trackingNo: string | null }[];
  };
};

type Manifest = Omit<Shop, 'server' | 'api' | 'pool'>;

function migrationsKey(): string {
  const dir = path.join(repoRoot, 'apps/server/src/db/migrations');
  const hash = createHash('sha256');
  for (const file of fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort())
    hash.update(file);
  return hash.digest('hex').slice(0, 8);
}

function clusterPool(dataDir: string): pg.Pool {
  const cluster = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as {
    port: number;
    password: string;
  };
  const pool = new pg.Pool({
    host: '127.0.0.1',
    port: cluster.port,
    user: 'huike',
    password: cluster.password,
    database: 'huike',
    max: 4,
    idleTimeoutMillis: 1_000,
    allowExitOnIdle: true,
  });
  pool.on('error', () => {
    // An idle client lost its server; the next query reports the problem.
  });
  return pool;
}

async function signIn(origin: string): Promise<ApiClient> {
  const api = new ApiClient(origin);
  const session = await api.request<{ csrfToken: string }>('POST', '/api/v1/auth/login', {
    email: OWNER.email,
    password: OWNER.password,
  });
  api.csrfToken = session.csrfToken;
  return api;
}

/**
 * One process at a time per cached shop (two servers on one data directory would corrupt it): a lock file
 * holding the owner's pid; a lock whose owner died is taken over.
 */
async function lockShop(workDir: string): Promise<() => void> {
  const lockFile = `${workDir}.lock`;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch {
      const owner = Number(fs.readFileSync(lockFile, 'utf8'));
      if (!owner || !isAlive(owner)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (waited % 30 === 0) console.log(`  shop: waiting for process ${owner}, which is using ${workDir}`);
      await sleep(2_000);
    }
  }
}

async function buildShop(): Promise<Shop> {
  const customers = Number(process.env.HUIKE_BENCH_CUSTOMERS ?? 1_000_000);
  const seed = Number(process.env.HUIKE_BENCH_SEED ?? 1);
  // HUIKE_BENCH_SHOP_DIR: a shop loaded earlier (e.g. a private copy of a cache directory), used as it is.
  const workDir =
    process.env.HUIKE_BENCH_SHOP_DIR ??
    path.join(repoRoot, 'bench/.cache', `shop-${customers}-${seed}-v${DATASET_VERSION}-${migrationsKey()}`);
  const unlock = await lockShop(workDir);
  process.once('exit', unlock);
  const manifestFile = path.join(workDir, 'shop.json');
  if (process.env.HUIKE_BENCH_FRESH === '1' || !fs.existsSync(manifestFile)) {
    fs.rmSync(workDir, { recursive: true, force: true });
  } else {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    console.log(`  shop: cached dataset ${workDir}`);
    const server = await startHuikeServer({ workDir, readyTimeoutMs: 300_000 });
    const api = await signIn(server.origin);
    return {
      ...manifest,
      dataset: { ...manifest.dataset, cached: true },
      server,
      api,
      pool: clusterPool(server.dataDir),
    };
  }

  const started = performance.now();
  console.log(`  shop: generating ${customers.toLocaleString()} customers (seed ${seed}) into ${workDir}`);
  const server = await startHuikeServer({ workDir, readyTimeoutMs: 300_000 });
  try {
    const { api } = await setupWorkspace(server.origin);
    const pool = clusterPool(server.dataDir);
    const { rows } = await pool.query<{ workspace_id: string; id: string }>(
      'select workspace_id, id from users where email = $1',
      [OWNER.email],
    );
    const workspaceId = rows[0]!.workspace_id;
    // A fixed "now" per seed keeps the data identical from run to run.
    const now = Date.UTC(2026, 0, 1);
    const loaded = await loadShop(pool, { customers, seed, now }, workspaceId, rows[0]!.id);
    const manifest: Manifest = {
      workspaceId,
      dataset: {
        customers: loaded.counts.customers,
        orders: loaded.counts.orders,
        customerTags: loaded.counts.customer_tags,
        seed,
        version: DATASET_VERSION,
        cached: false,
        generateAndLoadS: Math.round((performance.now() - started) / 1000),
        timings: loaded.timings,
      },
      sample: loaded.sample,
    };
    fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    console.log(`  shop: ready in ${manifest.dataset.generateAndLoadS} s`, loaded.counts);
    return { ...manifest, server, api, pool };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

let shared: Promise<Shop> | undefined;

/**
 * The benchmark shop, started once per process and stopped when the process is about to exit.
 * Benchmarks must leave its data as they found it (or work in their own workspace).
 */
export function openShop(): Promise<Shop> {
  if (!shared) {
    shared = buildShop();
    shared.then(
      (shop) => {
        let stopping = false;
        process.on('beforeExit', () => {
          if (stopping) return;
          stopping = true;
          void shop.pool.end().finally(() => shop.server.stop());
        });
      },
      () => {},
    );
  }
  return shared;
}
