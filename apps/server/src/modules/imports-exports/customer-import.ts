import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OrderPlatform } from '@huike/contracts';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Executor } from '../../platform/db-helpers.ts';
import { newId } from '../../platform/ids.ts';
import { normalizeText } from '../../platform/text/index.ts';
import { searchColumns } from '../customers/customer-search.ts';
import { recordCustomerEvents } from '../customers/index.ts';
import {
  CellIssues,
  cellError,
  parseDate,
  parseEmail,
  parseGender,
  parsePhone,
  parsePlatform,
  parseText,
  splitTagNames,
} from './cell-values.ts';
import type { Cell } from './spreadsheet-reader.ts';
import { cellText } from './spreadsheet-reader.ts';

export type CustomFieldDefinition = {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'single_select' | 'multi_select';
  options: string[];
};

/** What the customer rows of a file are checked against: the workspace's tags and custom fields. */
export type CustomerImportReference = {
  /** Tag ids by each tag's name and by its normalizeText form (ｖｉｐ, 會員 find VIP, 会员); exact names win. */
  tagsByName: Map<string, string>;
  customFields: Map<string, CustomFieldDefinition>;
  fromXlsx: boolean;
  /** The platform of buyer ids in rows without a 平台 cell. */
  defaultPlatform: OrderPlatform | null;
};

/** One valid row, normalised; null = the cell was empty (keep what is stored). */
export type CustomerRow = {
  row: number;
  name: string | null;
  nickname: string | null;
  phone: string | null;
  email: string | null;
  gender: 'male' | 'female' | 'unknown' | null;
  birthday: string | null;
  region: string | null;
  source: string | null;
  campaign: string | null;
  notes: string | null;
  tagIds: string[];
  custom: Record<string, unknown>;
  buyer: string | null;
  /** The row's COPY line as a created customer, after the ids (see prepareCreateLine); unset once merged into. */
  createLine?: string;
};

function parseCustom(cell: Cell | undefined, definition: CustomFieldDefinition, fromXlsx: boolean): unknown {
  const text = cellText(cell);
  if (!text) return undefined;
  const field = { field: `custom:${definition.key}`, label: definition.label };
  switch (definition.type) {
    case 'text':
      return parseText(cell, field, 1000);
    case 'number': {
      const value = typeof cell === 'number' ? cell : Number(text.replace(/,/g, ''));
      if (!Number.isFinite(value)) throw cellError('import.number_invalid', { ...field, value: text });
      return value;
    }
    case 'date':
      return parseDate(cell, { fromXlsx, field });
    case 'single_select':
      if (!definition.options.includes(text))
        throw cellError('import.option_invalid', { ...field, value: text, options: definition.options.join(' / ') });
      return text;
    case 'multi_select': {
      const values = splitTagNames(text);
      const unknown = values.filter((value) => !definition.options.includes(value));
      if (unknown.length > 0)
        throw cellError('import.options_unknown', { ...field, values: unknown.join('、'), count: unknown.length });
      return values;
    }
  }
}

/**
 * Reads one data row through the column → field mapping; throws CellError with the reasons to reject it: every
 * bad cell's, not only the first.
 */
export function readCustomerRow(
  row: number,
  cells: Cell[],
  fields: (string | null)[],
  reference: CustomerImportReference,
): CustomerRow {
  const at = (field: string): Cell | undefined => {
    const index = fields.indexOf(field);
    return index < 0 ? undefined : cells[index];
  };
  const issues = new CellIssues();
  const tagNames = splitTagNames(at('tags'));
  const tagIdOf = (name: string) => reference.tagsByName.get(name) ?? reference.tagsByName.get(normalizeText(name));
  const unknownTags = tagNames.filter((name) => !tagIdOf(name));
  if (unknownTags.length > 0)
    issues.add(cellError('import.tags_unknown', { names: unknownTags.join('、'), count: unknownTags.length }));
  const custom: Record<string, unknown> = {};
  for (const [index, field] of fields.entries()) {
    if (!field?.startsWith('custom:')) continue;
    const definition = reference.customFields.get(field.slice('custom:'.length));
    if (!definition) continue;
    const value = issues.read(() => parseCustom(cells[index], definition, reference.fromXlsx));
    if (value !== undefined && value !== null) custom[definition.key] = value;
  }
  const text = (field: string, label: string, max: number) =>
    issues.read(() => parseText(at(field), { field, label }, max));
  const name = text('name', '姓名', 100);
  const nickname = text('nickname', '昵称', 100);
  // The keys a customer is known by: a bad one is its own reason, never also 「缺少手机号、邮箱或买家 ID」.
  const keyIssues = issues.count;
  const phone = issues.read(() => parsePhone(at('phone')));
  const email = issues.read(() => parseEmail(at('email')));
  const platform = issues.read(() => parsePlatform(at('platform'))) ?? reference.defaultPlatform;
  const buyerId = text('buyerId', '买家 ID', 128);
  const badKey = issues.count > keyIssues;
  if (buyerId && !platform && !badKey) issues.add(cellError('import.buyer_needs_platform', {}));
  const parsed: CustomerRow = {
    row,
    name,
    nickname,
    phone,
    email,
    gender: issues.read(() => parseGender(at('gender'))),
    birthday: issues.read(() => parseDate(at('birthday'), { fromXlsx: reference.fromXlsx })),
    region: text('region', '地区', 100),
    source: text('source', '来源渠道', 100),
    campaign: text('campaign', '来源活动', 100),
    notes: text('notes', '备注', 5000),
    tagIds: [...new Set(tagNames.flatMap((tag) => tagIdOf(tag) ?? []))],
    custom,
    buyer: platform && buyerId ? `${platform}:${buyerId}` : null,
  };
  if (!parsed.phone && !parsed.email && !parsed.buyer && !badKey && !(buyerId && !platform))
    issues.add(cellError('import.customer_key_missing', {}));
  issues.done();
  return parsed;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * `count` UUIDv7s (as platform/ids.ts makes them: time-ordered, not guessable), increasing in order, for a whole
 * batch at once: the millisecond, 12 random bits shared by the batch, a 30-bit counter, 32 random bits per id.
 * (`newId()` per row costs more than everything else the import does in Node for a created customer.)
 */
export function batchIds(count: number): string[] {
  const random = randomBytes(count * 4 + 2);
  const ms = Date.now().toString(16).padStart(12, '0');
  const prefix = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${(HEX[random[0]! & 0x0f]! + HEX[random[1]!]!).slice(1)}-`;
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const at = 2 + i * 4;
    const high = 0x8000 | ((i >>> 16) & 0x3fff);
    const low = i & 0xffff;
    ids[i] =
      `${prefix}${HEX[high >>> 8]}${HEX[high & 0xff]}-${HEX[low >>> 8]}${HEX[low & 0xff]}` +
      `${HEX[random[at]!]}${HEX[random[at + 1]!]}${HEX[random[at + 2]!]}${HEX[random[at + 3]!]}`;
  }
  return ids;
}

const keysOf = (row: CustomerRow) =>
  [row.buyer && `b:${row.buyer}`, row.phone && `p:${row.phone}`, row.email && `e:${row.email}`].filter(
    (key): key is string => !!key,
  );

/**
 * Rows naming the same customer (any shared key) become one: later non-empty cells win. `changing` counts the later
 * rows that changed what the earlier ones said (an update, in the import's counts; the others changed nothing).
 */
function mergeDuplicates(rows: CustomerRow[]): { merged: CustomerRow[]; changing: number } {
  const byKey = new Map<string, CustomerRow>();
  const merged: CustomerRow[] = [];
  let changing = 0;
  for (const row of rows) {
    const target = keysOf(row)
      .map((key) => byKey.get(key))
      .find(Boolean);
    if (!target) {
      const copy = { ...row, tagIds: [...row.tagIds], custom: { ...row.custom } };
      merged.push(copy);
      for (const key of keysOf(copy)) byKey.set(key, copy);
      continue;
    }
    const before = JSON.stringify(target);
    for (const field of [
      'name',
      'nickname',
      'phone',
      'email',
      'gender',
      'birthday',
      'region',
      'source',
      'campaign',
      'notes',
      'buyer',
    ] as const) {
      if (row[field] !== null) (target as Record<string, unknown>)[field] = row[field];
    }
    target.tagIds = [...new Set([...target.tagIds, ...row.tagIds])];
    Object.assign(target.custom, row.custom);
    if (JSON.stringify(target) !== before) {
      changing++;
      target.createLine = undefined;
    }
    for (const key of keysOf(target)) byKey.set(key, target);
  }
  return { merged, changing };
}

type StoredCustomer = {
  id: string;
  name: string | null;
  nickname: string | null;
  phone: string | null;
  phones: string[];
  email: string | null;
  emails: string[];
  gender: 'male' | 'female' | 'unknown';
  birthday: string | null;
  region: string | null;
  source: string | null;
  campaign: string | null;
  notes: string;
  custom_fields: Record<string, unknown>;
};

type WritableCustomer = Omit<StoredCustomer, 'custom_fields'> & { customFields: Record<string, unknown> };

export type CustomerBatchPlan = {
  creates: { row: CustomerRow; customer: WritableCustomer }[];
  updates: { row: CustomerRow; customer: WritableCustomer; changed: string[] }[];
  unchanged: number;
  /** Rows that changed what an earlier row of the same batch said about its customer. */
  updatedInBatch: number;
  tagLinks: { customerId: string; tagId: string }[];
  buyers: { customerId: string; externalId: string }[];
};

/** Finds the stored customers a batch names, the way resolveCustomerByContact does: buyer id, phone, email. */
async function findStored(executor: Executor, workspaceId: string, rows: CustomerRow[]) {
  const buyers = rows.flatMap((row) => (row.buyer ? [row.buyer] : []));
  const phones = rows.flatMap((row) => (row.phone ? [row.phone] : []));
  const emails = rows.flatMap((row) => (row.email ? [row.email] : []));
  const byBuyer = new Map<string, string>();
  if (buyers.length > 0) {
    const found = await executor.execute<{ external_id: string; customer_id: string }>(sql`
      select i.external_id, coalesce(c.merged_into_id, c.id) as customer_id
      from customer_identities i
      join customers c on c.workspace_id = i.workspace_id and c.id = i.customer_id
      where i.workspace_id = ${workspaceId} and i.inbox_id is null and i.kind = 'platform_buyer'
        and i.external_id = any(${sql.param(buyers)}::text[])`);
    for (const row of found.rows) byBuyer.set(row.external_id, row.customer_id);
  }
  // One indexed lookup per key kind (an OR of the three would scan the workspace's customers on every batch).
  const columns = sql`select id, phone, phones, lower(email) as email from customers`;
  const scope = sql`workspace_id = ${workspaceId} and merged_into_id is null`;
  const lookups = [
    ...(phones.length > 0
      ? [
          sql`${columns} where ${scope} and phone = any(${sql.param(phones)}::text[])`,
          // `phones <> '{}'` matches the partial index customers_other_phones_idx (few customers have other phones).
          sql`${columns} where ${scope} and phones <> '{}'::text[] and phones && ${sql.param(phones)}::text[]`,
        ]
      : []),
    ...(emails.length > 0 ? [sql`${columns} where ${scope} and lower(email) = any(${sql.param(emails)}::text[])`] : []),
  ];
  const matched =
    lookups.length === 0
      ? { rows: [] }
      : await executor.execute<{ id: string; phone: string | null; phones: string[]; email: string | null }>(
          sql`${sql.join(lookups, sql` union `)} order by id`,
        );
  const byPhone = new Map<string, string>();
  const byEmail = new Map<string, string>();
  for (const row of matched.rows) {
    for (const phone of [row.phone, ...row.phones]) if (phone && !byPhone.has(phone)) byPhone.set(phone, row.id);
    if (row.email && !byEmail.has(row.email)) byEmail.set(row.email, row.id);
  }
  // Buyer id, then phone, then email; `alsoByKey` (a dry run's customers that are not stored) after the stored ones.
  const idOf = (row: CustomerRow, alsoByKey?: (key: string) => string | undefined) =>
    (row.buyer && (byBuyer.get(row.buyer) ?? alsoByKey?.(`b:${row.buyer}`))) ||
    (row.phone && (byPhone.get(row.phone) ?? alsoByKey?.(`p:${row.phone}`))) ||
    (row.email && (byEmail.get(row.email) ?? alsoByKey?.(`e:${row.email}`))) ||
    undefined;
  const ids = [...new Set(rows.map((row) => idOf(row)).filter((id): id is string => !!id))];
  const stored = new Map<string, StoredCustomer & { tagIds: Set<string> }>();
  if (ids.length > 0) {
    const found = await executor.execute<StoredCustomer>(sql`
      select id, name, nickname, phone, phones, email, emails, gender, birthday::text as birthday, region, source,
        campaign, notes, custom_fields
      from customers where workspace_id = ${workspaceId} and id = any(${sql.param(ids)}::uuid[])`);
    for (const row of found.rows) stored.set(row.id, { ...row, tagIds: new Set() });
    const tagged = await executor.execute<{ customer_id: string; tag_id: string }>(sql`
      select customer_id, tag_id from customer_tags
      where workspace_id = ${workspaceId} and customer_id = any(${sql.param(ids)}::uuid[])`);
    for (const row of tagged.rows) stored.get(row.customer_id)?.tagIds.add(row.tag_id);
  }
  return { idOf, stored, byBuyer };
}

const SIMPLE_FIELDS = ['name', 'nickname', 'birthday', 'region', 'source', 'campaign'] as const;

/**
 * What a dry run's earlier batches would have written, had it written anything: every customer they would create
 * or change, as the run would then have stored it (by id), and those ids by key (`b:`/`p:`/`e:` + buyer id, phone,
 * email). Later batches compare their rows with these, as the run's later batches compare with what the earlier
 * ones wrote, so the counts are the run's. Kept compact (a JSON array per customer): a million-row file may create
 * a million customers.
 */
export type DryRunState = { byKey: Map<string, string>; byId: Map<string, string> };

export const createDryRunState = (): DryRunState => ({ byKey: new Map(), byId: new Map() });

type VirtualCustomer = StoredCustomer & { tagIds: Set<string>; buyers: string[] };

function encodeVirtual(customer: WritableCustomer, tagIds: Iterable<string>, buyers: string[]): string {
  const c = customer;
  return JSON.stringify([
    c.name,
    c.nickname,
    c.phone,
    c.phones,
    c.email,
    c.emails,
    c.gender,
    c.birthday,
    c.region,
    c.source,
    c.campaign,
    c.notes,
    c.customFields,
    [...tagIds],
    buyers,
  ]);
}

function decodeVirtual(id: string, encoded: string): VirtualCustomer {
  const [
    name,
    nickname,
    phone,
    phones,
    email,
    emails,
    gender,
    birthday,
    region,
    source,
    campaign,
    notes,
    custom,
    tags,
    buyers,
  ] = JSON.parse(encoded);
  return {
    id,
    name,
    nickname,
    phone,
    phones,
    email,
    emails,
    gender,
    birthday,
    region,
    source,
    campaign,
    notes,
    custom_fields: custom,
    tagIds: new Set(tags),
    buyers,
  };
}

/** Remembers what the dry run's batch would leave stored for `customer`, and finds it again by its keys. */
function rememberVirtual(state: DryRunState, customer: WritableCustomer, tagIds: Iterable<string>, buyers: string[]) {
  state.byId.set(customer.id, encodeVirtual(customer, tagIds, buyers));
  for (const phone of [customer.phone, ...customer.phones]) if (phone) state.byKey.set(`p:${phone}`, customer.id);
  for (const email of [customer.email, ...customer.emails])
    if (email) state.byKey.set(`e:${email.toLowerCase()}`, customer.id);
  for (const buyer of buyers) state.byKey.set(`b:${buyer}`, customer.id);
}

/**
 * Decides, without writing, what each row does: create a customer, update one (only cells that say something
 * new; empty cells never clear), or nothing. A dry run passes its `DryRunState` (what its earlier batches would
 * have written) and gets it updated with this batch.
 */
export async function planCustomerBatch(
  executor: Executor,
  workspaceId: string,
  rows: CustomerRow[],
  dryRun?: DryRunState,
): Promise<CustomerBatchPlan> {
  const { merged, changing } = mergeDuplicates(rows);
  const { idOf, stored, byBuyer } = await findStored(executor, workspaceId, merged);
  const plan: CustomerBatchPlan = {
    creates: [],
    updates: [],
    unchanged: rows.length - merged.length - changing,
    updatedInBatch: changing,
    tagLinks: [],
    buyers: [],
  };
  const ids = batchIds(merged.length);
  let nextId = 0;
  const virtualKey = dryRun ? (key: string) => dryRun.byKey.get(key) : undefined;
  for (const row of merged) {
    const id = idOf(row, virtualKey);
    const virtual = id && dryRun?.byId.get(id);
    const existing: (StoredCustomer & { tagIds: Set<string>; buyers?: string[] }) | undefined = virtual
      ? decodeVirtual(id, virtual)
      : id
        ? stored.get(id)
        : undefined;
    if (!existing) {
      const customer: WritableCustomer = {
        id: ids[nextId++]!,
        name: row.name,
        nickname: row.nickname,
        phone: row.phone,
        phones: [],
        email: row.email,
        emails: [],
        gender: row.gender ?? 'unknown',
        birthday: row.birthday,
        region: row.region,
        source: row.source,
        campaign: row.campaign,
        notes: row.notes ?? '',
        customFields: row.custom,
      };
      plan.creates.push({ row, customer });
      for (const tagId of row.tagIds) plan.tagLinks.push({ customerId: customer.id, tagId });
      if (row.buyer) plan.buyers.push({ customerId: customer.id, externalId: row.buyer });
      if (dryRun) rememberVirtual(dryRun, customer, row.tagIds, row.buyer ? [row.buyer] : []);
      continue;
    }
    const next: WritableCustomer = {
      ...existing,
      phones: [...existing.phones],
      emails: [...existing.emails],
      customFields: { ...existing.custom_fields },
    };
    const changed: string[] = [];
    for (const field of SIMPLE_FIELDS) {
      if (row[field] !== null && row[field] !== existing[field]) {
        next[field] = row[field];
        changed.push(field);
      }
    }
    if (row.gender && row.gender !== 'unknown' && row.gender !== existing.gender) {
      next.gender = row.gender;
      changed.push('gender');
    }
    if (row.notes && !existing.notes.includes(row.notes)) {
      next.notes = existing.notes ? `${existing.notes}\n${row.notes}` : row.notes;
      changed.push('notes');
    }
    if (row.phone && row.phone !== existing.phone && !existing.phones.includes(row.phone)) {
      if (existing.phone) next.phones.push(row.phone);
      else next.phone = row.phone;
      changed.push('phone');
    }
    if (row.email && row.email !== existing.email?.toLowerCase() && !existing.emails.includes(row.email)) {
      if (existing.email) next.emails.push(row.email);
      else next.email = row.email;
      changed.push('email');
    }
    for (const [key, value] of Object.entries(row.custom)) {
      if (JSON.stringify(existing.custom_fields[key] ?? null) !== JSON.stringify(value)) {
        next.customFields[key] = value;
        if (!changed.includes('customFields')) changed.push('customFields');
      }
    }
    const newTags = row.tagIds.filter((tagId) => !existing.tagIds.has(tagId));
    for (const tagId of newTags) plan.tagLinks.push({ customerId: existing.id, tagId });
    if (newTags.length > 0) changed.push('tags');
    const isNewBuyer = !!row.buyer && !byBuyer.has(row.buyer) && !existing.buyers?.includes(row.buyer);
    if (isNewBuyer) {
      plan.buyers.push({ customerId: existing.id, externalId: row.buyer! });
      changed.push('buyerId');
    }
    if (changed.length === 0) plan.unchanged++;
    else {
      plan.updates.push({ row, customer: next, changed });
      if (dryRun) {
        const buyers = [...(existing.buyers ?? []), ...(isNewBuyer ? [row.buyer!] : [])];
        rememberVirtual(dryRun, next, [...existing.tagIds, ...newTags], buyers);
      }
    }
  }
  return plan;
}

/**
 * Name-derived search columns (pinyin, initials, grams: the costly part) by name and nickname. Names repeat a lot
 * in a customer list (a million customers have a few hundred thousand distinct names), so an import computes each
 * once. The name columns depend only on name and nickname, the contact columns only on phones and emails.
 */
const nameColumnsCache = new Map<string, ReturnType<typeof searchColumns>>();
const NAME_CACHE_LIMIT = 400_000;

function nameSearchColumns(name: string | null, nickname: string | null) {
  const key = `${name ?? ''}\u0000${nickname ?? ''}`;
  let columns = nameColumnsCache.get(key);
  if (!columns) {
    columns = searchColumns({ name, nickname });
    if (nameColumnsCache.size >= NAME_CACHE_LIMIT) nameColumnsCache.clear();
    nameColumnsCache.set(key, columns);
  }
  return columns;
}

const withSearch = (customer: WritableCustomer) => {
  const byName = nameSearchColumns(customer.name, customer.nickname);
  const byContact = searchColumns({
    phone: customer.phone,
    phones: customer.phones,
    email: customer.email,
    emails: customer.emails,
  });
  return {
    ...customer,
    searchName: byName.searchName,
    searchText: byName.searchText,
    searchGrams: byName.searchGrams,
    searchPinyin: byName.searchPinyin,
    searchInitials: byName.searchInitials,
    searchPhone: byContact.searchPhone,
    searchPhones: byContact.searchPhones,
    searchEmail: byContact.searchEmail,
    searchEmails: byContact.searchEmails,
    searchVersion: byContact.searchVersion,
  };
};

const RECORD_COLUMNS = sql.raw(`id uuid, name text, nickname text, phone text, phones text[], email text, emails text[],
  gender text, birthday date, region text, source text, campaign text, notes text, "customFields" jsonb,
  "searchName" text, "searchText" text, "searchGrams" text[], "searchPinyin" text, "searchInitials" text,
  "searchPhone" text, "searchPhones" text, "searchEmail" text, "searchEmails" text, "searchVersion" smallint`);

// ---------------------------------------------------------------------------------------------------------
// Created customers: COPY into a staging table, then set-based INSERT … SELECT into the real tables.

/** A value in COPY text format: `\N` for null; backslash, tab, newline and carriage return escaped. */
function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (char) =>
        char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r',
      )
    : value;
}

/** A PostgreSQL array literal of text values (each quoted), before COPY escaping. */
const arrayLiteral = (values: readonly string[]) =>
  `{${values.map((value) => `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`).join(',')}}`;

const STAGING_COLUMNS = `id uuid, event_id uuid, identity_id uuid, row_number integer, name text, nickname text,
  phone text, email text, gender text, birthday date, region text, source text, campaign text, notes text,
  custom_fields jsonb, tag_ids uuid[], buyer text, search_name text, search_text text, search_grams text[],
  search_pinyin text, search_initials text, search_phone text, search_phones text, search_email text,
  search_emails text, search_version smallint`;

/**
 * A row's COPY line as a created customer (STAGING_COLUMNS from row_number on: a create takes the row's values
 * as they are). Computed while the file is read (the search columns are the costly part), so this overlaps the
 * previous batch's writes instead of running inside the next batch's transaction.
 */
export function prepareCreateLine(row: CustomerRow): string {
  const byName = nameSearchColumns(row.name, row.nickname);
  const byContact = searchColumns({ phone: row.phone, phones: [], email: row.email, emails: [] });
  const tagIds = [...new Set(row.tagIds)].sort(); // the order customer_tags' sync trigger keeps (uuid = hex order)
  row.createLine = `${[
    String(row.row),
    row.name,
    row.nickname,
    row.phone,
    row.email,
    row.gender ?? 'unknown',
    row.birthday,
    row.region,
    row.source,
    row.campaign,
    row.notes ?? '',
    JSON.stringify(row.custom),
    `{${tagIds.join(',')}}`,
    row.buyer,
    byName.searchName,
    byName.searchText,
    arrayLiteral(byName.searchGrams),
    byName.searchPinyin,
    byName.searchInitials,
    byContact.searchPhone,
    byContact.searchPhones,
    byContact.searchEmail,
    byContact.searchEmails,
    String(byContact.searchVersion),
  ]
    .map(copyText)
    .join('\t')}\n`;
  return row.createLine;
}

/** The COPY data of a plan's creates, in chunks of about 128 KiB. */
function copyChunks(plan: CustomerBatchPlan): Buffer[] {
  const eventIds = batchIds(plan.creates.length);
  const chunks: Buffer[] = [];
  let chunk = '';
  for (const [index, { row, customer }] of plan.creates.entries()) {
    const identityId = row.buyer ? newId() : '\\N';
    chunk += `${customer.id}\t${eventIds[index]}\t${identityId}\t${row.createLine ?? prepareCreateLine(row)}`;
    if (chunk.length >= 1 << 17) {
      chunks.push(Buffer.from(chunk, 'utf8'));
      chunk = '';
    }
  }
  if (chunk) chunks.push(Buffer.from(chunk, 'utf8'));
  return chunks;
}

/**
 * The batch's transaction lets GIN entries collect in the indexes' pending lists (inClientTransaction's larger
 * gin_pending_list_limit); merging them into the search indexes in one sorted pass per batch is several times cheaper
 * than the entry-by-entry merges the app's 128 kB limit causes, and searches, which scan the pending list, never see
 * more than one batch's entries there.
 */
const SEARCH_GIN_INDEXES = ['customers_search_grams_idx', 'customers_search_phones_idx', 'customers_search_emails_idx'];

/**
 * Writes a batch's new customers with a COPY into a temporary staging table (dropped at commit) and four
 * INSERT … SELECT statements: customers (with their tag ids, so the customer_tags sync trigger finds nothing to
 * change), customer_tags, platform buyer identities and one timeline event each. `client` runs the caller's
 * transaction.
 */
async function copyCreates(
  executor: Executor,
  client: pg.PoolClient,
  context: { workspaceId: string; actorId: string | null; importId: string },
  plan: CustomerBatchPlan,
) {
  const { workspaceId, actorId, importId } = context;
  const chunks = copyChunks(plan);
  await client.query(`create temp table huike_import_staging (${STAGING_COLUMNS}) on commit drop`);
  await pipeline(Readable.from(chunks), client.query(copyFrom('copy huike_import_staging from stdin')));
  await executor.execute(sql`
    insert into customers (id, workspace_id, name, nickname, phone, email, gender, birthday, region, source, campaign,
      notes, custom_fields, tag_ids, profile_updated_at, search_name, search_text, search_grams, search_pinyin,
      search_initials, search_phone, search_phones, search_email, search_emails, search_version)
    select s.id, ${workspaceId}, s.name, s.nickname, s.phone, s.email, s.gender, s.birthday, s.region, s.source,
      s.campaign, s.notes, s.custom_fields, s.tag_ids, now(), s.search_name, s.search_text, s.search_grams,
      s.search_pinyin, s.search_initials, s.search_phone, s.search_phones, s.search_email, s.search_emails,
      s.search_version
    from huike_import_staging s`);
  await client.query('select gin_clean_pending_list(i::regclass) from unnest($1::text[]) as i', [SEARCH_GIN_INDEXES]);
  await executor.execute(sql`
    insert into customer_tags (workspace_id, customer_id, tag_id, created_by)
    select ${workspaceId}, s.id, t.tag_id, ${actorId}::uuid
    from huike_import_staging s cross join lateral unnest(s.tag_ids) as t(tag_id)
    where s.tag_ids <> '{}'::uuid[]`);
  await executor.execute(sql`
    insert into customer_identities (id, workspace_id, inbox_id, customer_id, kind, external_id)
    select s.identity_id, ${workspaceId}, null, s.id, 'platform_buyer', s.buyer
    from huike_import_staging s where s.buyer is not null
    on conflict do nothing`);
  await executor.execute(sql`
    insert into customer_events (id, workspace_id, customer_id, kind, actor_id, details)
    select s.event_id, ${workspaceId}, s.id, 'imported', ${actorId}::uuid,
      jsonb_build_object('importId', ${importId}::text, 'action', 'created', 'row', s.row_number)
    from huike_import_staging s`);
}

/**
 * Writes a plan set-based (a handful of statements per batch), inside the caller's transaction. With `client`
 * (the connection running that transaction) new customers go through COPY (the import job); without it, through
 * one jsonb_to_recordset statement.
 */
export async function applyCustomerPlan(
  executor: Executor,
  context: { workspaceId: string; actorId: string | null; importId: string },
  plan: CustomerBatchPlan,
  client?: pg.PoolClient,
): Promise<void> {
  const { workspaceId, actorId, importId } = context;
  if (client && plan.creates.length > 0) {
    await copyCreates(executor, client, context, plan);
  } else if (plan.creates.length > 0) {
    const records = JSON.stringify(plan.creates.map(({ customer }) => withSearch(customer)));
    await executor.execute(sql`
      insert into customers (id, workspace_id, name, nickname, phone, phones, email, emails, gender, birthday, region,
        source, campaign, notes, custom_fields, profile_updated_at, search_name, search_text, search_grams,
        search_pinyin, search_initials, search_phone, search_phones, search_email, search_emails, search_version)
      select u.id, ${workspaceId}, u.name, u.nickname, u.phone, u.phones, u.email, u.emails, u.gender, u.birthday,
        u.region, u.source, u.campaign, u.notes, u."customFields", now(), u."searchName", u."searchText",
        u."searchGrams", u."searchPinyin", u."searchInitials", u."searchPhone", u."searchPhones", u."searchEmail",
        u."searchEmails", u."searchVersion"
      from jsonb_to_recordset(${records}::jsonb) as u(${RECORD_COLUMNS})`);
  }
  if (plan.updates.length > 0) {
    const records = JSON.stringify(plan.updates.map(({ customer }) => withSearch(customer)));
    await executor.execute(sql`
      update customers c set name = u.name, nickname = u.nickname, phone = u.phone, phones = u.phones,
        email = u.email, emails = u.emails, gender = u.gender, birthday = u.birthday, region = u.region,
        source = u.source, campaign = u.campaign, notes = u.notes, custom_fields = u."customFields",
        search_name = u."searchName", search_text = u."searchText", search_grams = u."searchGrams",
        search_pinyin = u."searchPinyin", search_initials = u."searchInitials", search_phone = u."searchPhone",
        search_phones = u."searchPhones", search_email = u."searchEmail", search_emails = u."searchEmails",
        search_version = u."searchVersion",
        profile_updated_at = now(), updated_at = now()
      from jsonb_to_recordset(${records}::jsonb) as u(${RECORD_COLUMNS})
      where c.workspace_id = ${workspaceId} and c.id = u.id`);
  }
  // With the COPY path the creates' tags, buyer ids and events are written already.
  const created = client ? new Set(plan.creates.map(({ customer }) => customer.id)) : new Set<string>();
  const tagLinks = client ? plan.tagLinks.filter((link) => !created.has(link.customerId)) : plan.tagLinks;
  const buyers = client ? plan.buyers.filter((buyer) => !created.has(buyer.customerId)) : plan.buyers;
  if (tagLinks.length > 0) {
    await executor.execute(sql`
      insert into customer_tags (workspace_id, customer_id, tag_id, created_by)
      select ${workspaceId}, u.customer_id, u.tag_id, ${actorId}::uuid
      from unnest(${sql.param(tagLinks.map((link) => link.customerId))}::uuid[], ${sql.param(tagLinks.map((link) => link.tagId))}::uuid[])
        as u(customer_id, tag_id)
      on conflict do nothing`);
  }
  if (buyers.length > 0) {
    await executor.execute(sql`
      insert into customer_identities (id, workspace_id, inbox_id, customer_id, kind, external_id)
      select u.id, ${workspaceId}, null, u.customer_id, 'platform_buyer', u.external_id
      from unnest(${sql.param(buyers.map(() => newId()))}::uuid[], ${sql.param(buyers.map((b) => b.customerId))}::uuid[],
        ${sql.param(buyers.map((b) => b.externalId))}::text[]) as u(id, customer_id, external_id)
      on conflict do nothing`);
  }
  // One timeline entry per created or changed customer (a batch insert): what the import did, by whom.
  const imported = (customerId: string, details: Record<string, unknown>) => ({
    workspaceId,
    customerId,
    kind: 'imported',
    actorId,
    details: { importId, ...details },
  });
  await recordCustomerEvents(executor, [
    ...(client ? [] : plan.creates).map(({ customer, row }) =>
      imported(customer.id, { action: 'created', row: row.row }),
    ),
    ...plan.updates.map(({ customer, row, changed }) =>
      imported(customer.id, { action: 'updated', row: row.row, fields: changed }),
    ),
  ]);
}
