import {
  type AnonymizeCustomerBody,
  type Customer,
  type CustomerIdentity,
  type CustomerListCount,
  type CustomerListItem,
  type CustomerSortKey,
  type DuplicateReason,
  type LifecycleStage,
  type MergeableField,
  type MergeBody,
  maskBankCard,
  maskIdCard,
  maskPhone,
  mergeableFields,
  normalizePhone,
  type RevealableField,
  type RevealResult,
  type RfmTier,
  type SortOrder,
  type TimelineEntry,
  type UnverifiedContact,
  type UpdateCustomerBody,
  unverifiedContactFields,
} from '@huike/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import { createBatcher } from '../../platform/batcher.ts';
import type { FieldCipher } from '../../platform/crypto.ts';
import { decodeCursor, type Executor, encodeCursor, iso } from '../../platform/db-helpers.ts';
import { AppError, postgresCode } from '../../platform/errors.ts';
import { entityTag, ifMatchAllows } from '../../platform/etag.ts';
import { type DomainEvent, type EventBus, publishingTransaction } from '../../platform/events.ts';
import { newId, sha256 } from '../../platform/ids.ts';
import { validateCustomFields } from './custom-fields.service.ts';
import { anonymizeCustomer } from './customer-erasure.ts';
import { countCustomerList, listSortedCustomerPage, valueFilters } from './customer-list-sort.ts';
import * as search from './customer-search.ts';
import * as repo from './customers.repository.ts';

/** What the customers module needs of the audit log (modules/audit). */
export type AuditRecorder = {
  record(
    executor: Executor,
    entry: {
      workspaceId: string;
      actorId: string | null;
      action: string;
      targetType?: string;
      targetId?: string;
      details?: Record<string, unknown>;
    },
  ): Promise<unknown>;
};

type StaleProfileDays = { active: number; others: number };

export type CustomersDeps = {
  db: Db;
  cipher: FieldCipher;
  audit: AuditRecorder;
  /** The workspace's reminder thresholds: the orders module's value settings (`getCustomerValueSettings`). */
  staleProfileDays: (executor: Executor, workspaceId: string) => Promise<StaleProfileDays>;
  /**
   * The orders module's `refreshCustomerValue`: order aggregates, RFM and lifecycle of these customers, inside
   * the caller's transaction. Injected because the orders module already depends on this one.
   */
  refreshCustomerValue: (executor: Executor, workspaceId: string, customerIds: string[]) => Promise<void>;
  /** The segments module's resolveCustomerTarget: list filters by segment and by tag (children included). */
  customerTarget?: (executor: Executor, actor: Actor, target: ListTarget) => Promise<SQL>;
  /** `customer.created` and `customer.updated` are published through it. */
  events?: EventBus;
};

/** Which customers a list shows (`GET /customers` and its count). */
type ListScopeQuery = {
  q?: string;
  segmentId?: string;
  tagId?: string;
  lifecycleStage?: LifecycleStage;
  rfmTier?: RfmTier;
};

/** A search's total is counted up to this many hits; above, "at least" (ranked results are read, not counted). */
const SEARCH_COUNT_CAP = 1000;

type ListTarget =
  | { segmentId: string }
  | { filter: { op: 'and'; conditions: { field: 'tags'; op: 'has_any'; value: string[] }[] } };

type ContactDetails = { name?: string; phone?: string; email?: string };

/** Which of these contact details are a phone or an email (a visitor's claim of them is unverified). */
const unverifiedContactsOf = (details: ContactDetails): UnverifiedContact[] =>
  unverifiedContactFields.filter((field) => Boolean(details[field]));

/** Profile fields whose changes are audit-logged (PIPL: contact details and sensitive personal information). */
const piiFields = ['phone', 'phones', 'email', 'emails', 'idCard', 'bankCard'];

const notFound = () => new AppError('customer.not_found', '客户不存在');

/** Appends an entry to a customer's timeline, inside the caller's transaction. */
export type CustomerEvent = {
  workspaceId: string;
  customerId: string;
  kind: string;
  actorId: string | null;
  details?: Record<string, unknown>;
};

/** Appends entries to customers' timelines, inside the caller's transaction (bulk jobs pass thousands at once). */
export async function recordCustomerEvents(executor: Executor, events: CustomerEvent[]) {
  await repo.insertEvents(
    executor,
    events.map((event) => ({ ...event, id: newId(), details: event.details ?? {} })),
  );
}

export const recordCustomerEvent = (executor: Executor, event: CustomerEvent) =>
  recordCustomerEvents(executor, [event]);

/**
 * Finds the customer behind a buyer's contact details, or creates one: by platform buyer id, then phone, then
 * email. Safe under concurrency (advisory locks on every key, taken in a fixed order), inside the caller's
 * transaction. A platform buyer id seen for the first time is attached to the customer found.
 * Throws `request.invalid` for a malformed phone or email.
 */
export async function resolveCustomerByContact(
  executor: Executor,
  workspaceId: string,
  contact: { platform?: string; buyerId?: string; phone?: string; email?: string; name?: string },
): Promise<{ customerId: string; created: boolean }> {
  const phone = contact.phone?.trim() ? normalizePhone(contact.phone) : undefined;
  if (phone === null) throw new AppError('request.invalid', '手机号格式不正确', { field: 'phone' });
  const email = contact.email?.trim() || undefined;
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new AppError('request.invalid', '邮箱格式不正确', { field: 'email' });
  }
  const buyer =
    contact.platform && contact.buyerId?.trim() ? `${contact.platform}:${contact.buyerId.trim()}` : undefined;

  const keys = [
    buyer && `contact:${workspaceId}:buyer:${buyer}`,
    phone && `contact:${workspaceId}:phone:${phone}`,
    email && `contact:${workspaceId}:email:${email.toLowerCase()}`,
  ]
    .filter((key): key is string => !!key)
    .sort();
  for (const key of keys) await repo.lockKey(executor, key);

  let customerId: string | undefined;
  if (buyer) {
    const identity = await repo.findIdentity(executor, workspaceId, null, 'platform_buyer', buyer);
    if (identity) customerId = identity.customerId;
  }
  if (!customerId && phone) customerId = (await repo.findLiveByPhone(executor, workspaceId, phone))?.id;
  if (!customerId && email) customerId = (await repo.findLiveByEmail(executor, workspaceId, email))?.id;

  let created = false;
  if (!customerId) {
    const name = contact.name?.trim().slice(0, 100) || null;
    const row = await repo.insertCustomer(executor, {
      id: newId(),
      workspaceId,
      name,
      phone: phone ?? null,
      email: email ?? null,
      source: contact.platform ?? null,
      ...search.searchColumns({ name, phone, email }),
    });
    customerId = row.id;
    created = true;
  }
  if (buyer) {
    await repo.upsertIdentity(executor, {
      id: newId(),
      workspaceId,
      inboxId: null,
      customerId,
      kind: 'platform_buyer',
      externalId: buyer,
    });
  }
  return { customerId, created };
}

/** `customer.created`, emitted (publishingTransaction) in the transaction that created the customer. */
export const customerCreated = (workspaceId: string, customerId: string): DomainEvent => ({
  type: 'customer.created',
  workspaceId,
  performedBy: null,
  customerId,
});

/** A field's value as the timeline shows it: phones and card numbers masked for everyone. */
function eventValue(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field === 'phone' && typeof value === 'string') return maskPhone(value);
  if (field === 'phones' && Array.isArray(value)) return value.map((phone) => maskPhone(String(phone)));
  if (field === 'idCard' && typeof value === 'string') return maskIdCard(value);
  if (field === 'bankCard' && typeof value === 'string') return maskBankCard(value);
  return value;
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0);

/** The profile fields as plain values (card numbers decrypted), for comparisons and merges. */
type Profile = {
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
  ownerId: string | null;
  idCard: string | null;
  bankCard: string | null;
  customFields: Record<string, unknown>;
};

const uniqueList = (values: (string | null | undefined)[], key: (value: string) => string = (value) => value) => {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const value of values) {
    if (!value || seen.has(key(value))) continue;
    seen.add(key(value));
    result.push(value);
  }
  return result;
};

/**
 * Whether `actor`'s searches match digits anywhere in a phone. Without customers:reveal_pii, digits match only
 * what the masked phone shows (whole number, first 3 digits, within the last 4): a search must not reveal the
 * rest. The list, its count, and bulk actions and exports by search all ask this, so they act on the same rows.
 */
const matchesHiddenPhoneDigits = (actor: Actor) => can(actor, 'customers:reveal_pii');

/**
 * The ids of `actor`'s best `limit` matches of `q`, in the list's order: what the customer list shows them for
 * that search (`{ q }` targets of bulk actions and exports).
 */
export async function searchCustomerIds(executor: Executor, actor: Actor, q: string, limit: number) {
  const options = { q, limit, revealPhones: matchesHiddenPhoneDigits(actor) };
  return (await search.listCustomerIds(executor, actor.workspaceId, options)).ids;
}

/**
 * Every customer `actor`'s search for `q` finds (the rows its list pages through, unranked), as a WHERE fragment
 * over `customers` without the workspace scope: `{ q }` targets of bulk actions and exports act on all of them.
 */
export const searchCustomerMatches = (actor: Actor, q: string): SQL =>
  search.searchCondition(actor.workspaceId, q, { revealPhones: matchesHiddenPhoneDigits(actor) });

export type CustomersService = ReturnType<typeof createCustomersService>;

const earliest = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));

export function createCustomersService({
  db,
  cipher,
  audit,
  staleProfileDays,
  refreshCustomerValue,
  customerTarget,
  events,
}: CustomersDeps) {
  const decrypt = (stored: string | null) => (stored ? cipher.decrypt(stored) : null);
  const encrypt = (plain: string | null) => (plain ? cipher.encrypt(plain) : null);

  const profileOf = (row: repo.CustomerRow): Profile => ({
    name: row.name,
    nickname: row.nickname,
    phone: row.phone,
    phones: row.phones,
    email: row.email,
    emails: row.emails,
    gender: row.gender,
    birthday: row.birthday,
    region: row.region,
    source: row.source,
    campaign: row.campaign,
    notes: row.notes,
    ownerId: row.ownerId,
    idCard: decrypt(row.idCardEnc),
    bankCard: decrypt(row.bankCardEnc),
    customFields: row.customFields,
  });

  /**
   * The version a PATCH's If-Match names: updatedAt, and what a PATCH edits so that two saves within one millisecond
   * still differ. Only what every reader sees plus the card ciphertexts (random per save): a hash of a phone or card
   * number would let a masked viewer find the hidden digits by trying them. Order totals are left out, so a new
   * order does not void an open edit form.
   */
  const etagOf = (row: repo.CustomerRow) =>
    entityTag([
      row.updatedAt.getTime(),
      [row.name, row.nickname, row.email, row.emails, row.gender, row.birthday, row.region, row.source],
      [row.campaign, row.notes, row.ownerId, row.customFields, row.idCardEnc, row.bankCardEnc],
      row.marketingOptOutAt?.getTime() ?? null,
      row.unverifiedContacts,
    ]);

  // Every message of a channel sender reads its identity: reads made while one is in flight share the next query
  // (one lane: a second lane halved the batches and cost the API channel ~15% of its throughput).
  const findInboxIdentity = createBatcher(repo.inboxIdentitiesFinder(db), {
    lanes: 1,
    maxBatch: 100,
  });

  /** The row as `actor` may see it: phones masked without customers:reveal_pii, card numbers always masked. */
  function present(actor: Actor, row: search.ListedCustomerRow): Customer {
    const masked = !can(actor, 'customers:reveal_pii');
    const idCard = decrypt(row.idCardEnc);
    const bankCard = decrypt(row.bankCardEnc);
    return {
      id: row.id,
      name: row.name,
      nickname: row.nickname,
      phone: row.phone && masked ? maskPhone(row.phone) : row.phone,
      phones: masked ? row.phones.map(maskPhone) : row.phones,
      email: row.email,
      emails: row.emails,
      gender: row.gender,
      birthday: row.birthday,
      region: row.region,
      source: row.source,
      campaign: row.campaign,
      notes: row.notes,
      customFields: row.customFields as Customer['customFields'],
      idCard: idCard && maskIdCard(idCard),
      bankCard: bankCard && maskBankCard(bankCard),
      ownerId: row.ownerId,
      piiMasked: masked,
      profileUpdatedAt: iso(row.profileUpdatedAt),
      orderCount: row.orderCount,
      totalSpentFen: row.totalSpentFen,
      firstOrderAt: iso(row.firstOrderAt),
      lastOrderAt: iso(row.lastOrderAt),
      rfmTier: row.rfmTier,
      lifecycleStage: row.lifecycleStage,
      marketingOptOutAt: iso(row.marketingOptOutAt),
      unverifiedContacts: row.unverifiedContacts as UnverifiedContact[],
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  /** A live customer of the actor's workspace; one merged away answers 404 with where it went. */
  async function getLiveRow(executor: Executor, actor: Actor, id: string) {
    const row = await repo.findCustomer(executor, actor.workspaceId, id);
    if (!row) throw notFound();
    if (row.mergedIntoId) {
      throw new AppError('customer.not_found', '客户已被合并到另一位客户', { mergedInto: row.mergedIntoId });
    }
    return row;
  }

  /**
   * Fills contact fields the customer does not have yet; never overwrites what an agent entered. `unverified`: a
   * website visitor typed them (anyone can type anyone's phone), so the phone and email are marked unverified.
   */
  async function fillMissingDetails(
    executor: Executor,
    customer: repo.CustomerRow,
    details: ContactDetails,
    unverified: boolean,
  ) {
    const patch = {
      ...(details.name && !customer.name ? { name: details.name } : {}),
      ...(details.phone && !customer.phone ? { phone: details.phone } : {}),
      ...(details.email && !customer.email ? { email: details.email } : {}),
    };
    if (Object.keys(patch).length > 0) {
      const claimed = unverified ? unverifiedContactsOf(patch) : [];
      await repo.updateCustomer(executor, customer.workspaceId, customer.id, {
        ...patch,
        ...(claimed.length > 0 ? { unverifiedContacts: uniqueList([...customer.unverifiedContacts, ...claimed]) } : {}),
        ...search.searchColumns({ ...customer, ...patch }),
      });
    }
  }

  /**
   * Finds or creates the customer behind a channel identity (a widget visitor or an API source id),
   * inside the caller's transaction. The identity's secret token, if any, is stored hashed. With `customerId`, an
   * identity seen for the first time joins that customer instead of a new one.
   */
  async function resolveIdentity(
    executor: Executor,
    input: {
      workspaceId: string;
      inboxId: string;
      kind: repo.IdentityKind;
      externalId: string;
      token?: string;
      details?: ContactDetails;
      customerId?: string;
    },
  ) {
    await repo.lockKey(executor, `identity:${input.inboxId}:${input.kind}:${input.externalId}`);
    const existing = await repo.findIdentity(executor, input.workspaceId, input.inboxId, input.kind, input.externalId);
    const known = existing?.customerId ?? input.customerId;
    if (known) {
      const customer = (await repo.findCustomer(executor, input.workspaceId, known))!;
      if (input.details) await fillMissingDetails(executor, customer, input.details, Boolean(input.token));
    }
    if (existing) return { customerId: existing.customerId, identity: existing, created: false };
    const customer = input.customerId
      ? { id: input.customerId }
      : await repo.insertCustomer(executor, {
          id: newId(),
          workspaceId: input.workspaceId,
          name: input.details?.name ?? null,
          phone: input.details?.phone ?? null,
          email: input.details?.email ?? null,
          unverifiedContacts: input.token ? unverifiedContactsOf(input.details ?? {}) : [],
          ...search.searchColumns({ ...input.details }),
        });
    const identity = await repo.upsertIdentity(executor, {
      id: newId(),
      workspaceId: input.workspaceId,
      inboxId: input.inboxId,
      customerId: customer.id,
      kind: input.kind,
      externalId: input.externalId,
      tokenHash: input.token ? sha256(input.token) : null,
    });
    return {
      customerId: identity.customerId,
      identity,
      created: !input.customerId && identity.customerId === customer.id,
    };
  }

  /** The profile after applying a PATCH body, with the list of fields that really changed (old → new). */
  async function applyPatch(executor: Executor, actor: Actor, row: repo.CustomerRow, body: UpdateCustomerBody) {
    const before = profileOf(row);
    const after: Profile = { ...before };
    for (const field of Object.keys(body) as (keyof UpdateCustomerBody)[]) {
      if (field === 'customFields') continue;
      (after as Record<string, unknown>)[field] = body[field] ?? (field === 'notes' ? '' : null);
    }
    if (body.gender === undefined) after.gender = before.gender;
    if (body.phones) after.phones = uniqueList(body.phones).filter((phone) => phone !== after.phone);
    if (body.emails) {
      after.emails = uniqueList(body.emails, (email) => email.toLowerCase()).filter(
        (email) => email.toLowerCase() !== after.email?.toLowerCase(),
      );
    }
    if (body.ownerId && body.ownerId !== before.ownerId) {
      if (!(await repo.userInWorkspace(executor, actor.workspaceId, body.ownerId))) {
        throw new AppError('request.invalid', '负责人不存在', [{ path: '/ownerId', message: '负责人不存在' }]);
      }
    }
    if (body.customFields) {
      const definitions = await repo.lockActiveFieldDefinitions(executor, actor.workspaceId);
      after.customFields = validateCustomFields(definitions, before.customFields, body.customFields);
    }
    const changes = (Object.keys(after) as (keyof Profile)[])
      .filter((field) => !sameValue(before[field], after[field]))
      .flatMap((field): { field: string; from: unknown; to: unknown }[] =>
        field === 'customFields'
          ? customFieldChanges(before.customFields, after.customFields)
          : [{ field, from: eventValue(field, before[field]), to: eventValue(field, after[field]) }],
      );
    return { after, changes };
  }

  const customFieldChanges = (before: Record<string, unknown>, after: Record<string, unknown>) =>
    [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((key) => !sameValue(before[key], after[key]))
      .map((key) => ({ field: `customFields.${key}`, from: before[key] ?? null, to: after[key] ?? null }));

  /** Profile → the columns it is stored in. */
  const profileColumns = (profile: Profile) => ({
    name: profile.name,
    nickname: profile.nickname,
    phone: profile.phone,
    phones: profile.phones,
    email: profile.email,
    emails: profile.emails,
    gender: profile.gender,
    birthday: profile.birthday,
    region: profile.region,
    source: profile.source,
    campaign: profile.campaign,
    notes: profile.notes,
    ownerId: profile.ownerId,
    idCardEnc: encrypt(profile.idCard),
    bankCardEnc: encrypt(profile.bankCard),
    customFields: profile.customFields,
    ...search.searchColumns(profile),
  });

  /** What a merge keeps: the chosen side per field (default: survivor's non-empty value, else the other's). */
  function mergeProfiles(survivor: Profile, other: Profile, choices: MergeBody['fieldChoices'] = {}) {
    const merged: Profile = { ...survivor };
    const fields = mergeableFields.map((field) => {
      const kept = choices[field] ?? (isEmpty(survivor[field]) && !isEmpty(other[field]) ? 'other' : 'survivor');
      if (kept === 'other') (merged as Record<string, unknown>)[field] = other[field];
      return { field, survivor: survivor[field], other: other[field], kept };
    });
    if (survivor.gender === 'unknown' && !choices.gender) merged.gender = other.gender;
    if (survivor.notes && other.notes && !choices.notes && survivor.notes !== other.notes) {
      merged.notes = `${survivor.notes}\n${other.notes}`.slice(0, 5000);
    }
    merged.phones = uniqueList([survivor.phone, other.phone, ...survivor.phones, ...other.phones]).filter(
      (phone) => phone !== merged.phone,
    );
    merged.emails = uniqueList([survivor.email, other.email, ...survivor.emails, ...other.emails], (email) =>
      email.toLowerCase(),
    ).filter((email) => email.toLowerCase() !== merged.email?.toLowerCase());
    merged.customFields = { ...other.customFields, ...survivor.customFields };
    return { merged, fields };
  }

  /** The merged record's unverified marks: a kept phone or email is as unverified as on the record it came from. */
  const mergedUnverifiedContacts = (
    survivor: repo.CustomerRow,
    other: repo.CustomerRow,
    fields: ReturnType<typeof mergeProfiles>['fields'],
  ) =>
    unverifiedContactFields.filter((contact) => {
      const source = fields.find((field) => field.field === contact)?.kept === 'other' ? other : survivor;
      return source.unverifiedContacts.includes(contact);
    });

  /** Values of the merge-decided fields shown to the caller: PII masked as in `present`. */
  const presentField = (actor: Actor, field: MergeableField, value: unknown) => {
    if (value === null || value === undefined) return null;
    if (field === 'idCard') return maskIdCard(String(value));
    if (field === 'bankCard') return maskBankCard(String(value));
    if (field === 'phone' && !can(actor, 'customers:reveal_pii')) return maskPhone(String(value));
    return value;
  };

  async function loadPair(executor: Executor, actor: Actor, survivorId: string, otherId: string, lock: boolean) {
    if (survivorId === otherId) throw new AppError('request.invalid', '不能把客户与自己合并');
    const rows = lock
      ? await repo.lockCustomers(executor, actor.workspaceId, [survivorId, otherId])
      : await repo.findCustomersByIds(executor, actor.workspaceId, [survivorId, otherId]);
    const survivor = rows.find((row) => row.id === survivorId);
    const other = rows.find((row) => row.id === otherId);
    if (!survivor || !other) throw notFound();
    for (const row of [survivor, other]) {
      if (row.mergedIntoId) {
        throw new AppError('customer.not_found', '客户已被合并到另一位客户', { mergedInto: row.mergedIntoId });
      }
    }
    return { survivor, other };
  }

  const snapshotProfile = (profile: Profile) => ({
    ...profile,
    idCard: profile.idCard ? sha256(profile.idCard) : null,
    bankCard: profile.bankCard ? sha256(profile.bankCard) : null,
  });

  /** Fields of the survivor an undo would overwrite that changed since the merge (`result`: as the merge left them). */
  function editedSinceMerge(survivor: repo.CustomerRow, result: Record<string, unknown>) {
    const now: Record<string, unknown> = {
      ...snapshotProfile(profileOf(survivor)),
      unverifiedContacts: survivor.unverifiedContacts,
    };
    // Merges recorded before `result` held unverifiedContacts compare only what they stored.
    return Object.keys(result).filter((field) => !sameValue(now[field], result[field]));
  }

  /** A 退订 recorded on the survivor after the merge (the merge itself set the earlier of the two records' ones). */
  function optOutSinceMerge(
    survivor: repo.CustomerRow,
    snapshot: Record<'survivor' | 'other', Record<string, unknown>>,
  ) {
    const before = (row: Record<string, unknown>) =>
      typeof row.marketing_opt_out_at === 'string' ? new Date(row.marketing_opt_out_at) : null;
    const atMerge = earliest(before(snapshot.survivor), before(snapshot.other));
    const current = survivor.marketingOptOutAt;
    return current && current.getTime() !== atMerge?.getTime() ? current : null;
  }

  /**
   * Merges `other` into `survivor` (both locked and live) in the caller's transaction: moves conversations,
   * identities, orders, tickets, tags and timeline, hides the other record (merged_into_id) and stores a snapshot
   * from which the merge can be undone. `performedBy` null: the system merged (a visitor signed in as a known shop
   * user, `reason` says so).
   */
  async function mergeRecords(
    tx: Executor,
    survivor: repo.CustomerRow,
    other: repo.CustomerRow,
    by: { performedBy: string | null; fieldChoices?: MergeBody['fieldChoices']; reason?: 'shop_user_sign_in' },
  ) {
    const { workspaceId } = survivor;
    const snapshot = {
      survivor: await repo.snapshotCustomer(tx, workspaceId, survivor.id),
      other: await repo.snapshotCustomer(tx, workspaceId, other.id),
    };
    const { merged, fields } = mergeProfiles(profileOf(survivor), profileOf(other), by.fieldChoices);
    const unverifiedContacts = mergedUnverifiedContacts(survivor, other, fields);
    const moved = await repo.moveCustomerData(tx, workspaceId, other.id, survivor.id);
    await repo.updateCustomer(tx, workspaceId, survivor.id, {
      ...profileColumns(merged),
      unverifiedContacts,
      profileUpdatedAt: new Date(),
      // The buyer said 退订 on either record: the merged one must respect it (undo restores both as they were).
      marketingOptOutAt: earliest(survivor.marketingOptOutAt, other.marketingOptOutAt),
    });
    await repo.updateCustomer(tx, workspaceId, other.id, { mergedIntoId: survivor.id });
    // The moved orders now count for the survivor (and no longer for the hidden record).
    await refreshCustomerValue(tx, workspaceId, [survivor.id, other.id]);
    const mergeId = newId();
    await repo.insertMerge(tx, {
      id: mergeId,
      workspaceId,
      survivorId: survivor.id,
      mergedId: other.id,
      performedBy: by.performedBy,
      // `result`: what an undo would overwrite on the survivor (card numbers as hashes), to tell whether it was edited since.
      snapshot: { ...snapshot, result: { ...snapshotProfile(merged), unverifiedContacts } },
      moved,
    });
    const moves = {
      conversations: moved.conversations.length,
      identities: moved.identities.length,
      orders: moved.orders.length,
      tags: moved.tags.length,
      events: moved.events.length,
      tickets: moved.tickets?.length ?? 0,
    };
    const reason = by.reason ? { reason: by.reason } : {};
    await recordCustomerEvent(tx, {
      workspaceId,
      customerId: survivor.id,
      kind: 'merged',
      actorId: by.performedBy,
      details: { mergeId, otherId: other.id, otherName: other.name, moves, ...reason },
    });
    await audit.record(tx, {
      workspaceId,
      actorId: by.performedBy,
      action: 'customers.merged',
      targetType: 'customer',
      targetId: survivor.id,
      details: { mergeId, mergedId: other.id, moves, ...reason },
    });
    return { mergeId, moves, movedConversations: moved.conversations };
  }

  /** Changes to contact and card fields go to the tamper-evident audit log too: which fields, never the values. */
  async function auditPiiChanges(tx: Executor, actor: Actor, id: string, fields: string[]) {
    const changed = piiFields.filter((field) => fields.includes(field));
    if (changed.length === 0) return;
    await audit.record(tx, {
      workspaceId: actor.workspaceId,
      actorId: actor.userId,
      action: 'customers.pii_updated',
      targetType: 'customer',
      targetId: id,
      details: { fields: changed },
    });
  }

  /** The segment and tag conditions of a list query (children of the tag included). */
  async function scopeFilters(actor: Actor, query: ListScopeQuery): Promise<SQL[]> {
    const filters: SQL[] = [];
    if ((query.segmentId || query.tagId) && !customerTarget)
      throw new AppError('request.invalid', '暂不支持按分组或标签筛选');
    if (query.segmentId) filters.push(await customerTarget!(db, actor, { segmentId: query.segmentId }));
    if (query.tagId) {
      const filter = {
        op: 'and' as const,
        conditions: [{ field: 'tags' as const, op: 'has_any' as const, value: [query.tagId] }],
      };
      filters.push(await customerTarget!(db, actor, { filter }));
    }
    return filters;
  }

  return {
    present,

    /**
     * Newest first, or ranked by `q` (customer-search.ts: name, pinyin, initials, phone, email, order no.),
     * optionally only a segment, a tag (children included), a lifecycle stage or an RFM tier; each row with
     * its tags.
     */
    async list(
      actor: Actor,
      query: ListScopeQuery & { sort?: CustomerSortKey; order?: SortOrder; limit: number; cursor?: string },
    ): Promise<{ items: CustomerListItem[]; nextCursor: string | null }> {
      assertCan(actor, 'customers:read');
      const filters = await scopeFilters(actor, query);
      if (query.sort && query.q) throw new AppError('request.invalid', '搜索结果按匹配度排列，不能再按其他列排序');
      const { rows, nextCursor } = query.sort
        ? await listSortedCustomerPage(
            db,
            {
              workspaceId: actor.workspaceId,
              filters,
              lifecycleStage: query.lifecycleStage,
              rfmTier: query.rfmTier,
            },
            { sort: { key: query.sort, order: query.order ?? 'desc' }, limit: query.limit, cursor: query.cursor },
          )
        : await search.listCustomerPage(db, actor.workspaceId, {
            ...query,
            filters,
            revealPhones: matchesHiddenPhoneDigits(actor),
          });
      return { items: rows.map((row) => ({ ...present(actor, row), tags: row.tags })), nextCursor };
    },

    /**
     * The list's total for the same scope: a listing exact up to 10,000 and estimated above; a search counts its
     * ranked hits up to SEARCH_COUNT_CAP (a page of them is what anyone reads) and says "at least" above.
     */
    async count(actor: Actor, query: ListScopeQuery): Promise<CustomerListCount> {
      assertCan(actor, 'customers:read');
      const filters = await scopeFilters(actor, query);
      if (query.q?.trim()) {
        // The same hits as the list's (phone digits matched as the list matches them for this caller).
        const options = { ...query, filters, revealPhones: matchesHiddenPhoneDigits(actor) };
        const count = await search.countListHits(db, actor.workspaceId, options, SEARCH_COUNT_CAP);
        return count > SEARCH_COUNT_CAP
          ? { count: SEARCH_COUNT_CAP, precision: 'atLeast' }
          : { count, precision: 'exact' };
      }
      return countCustomerList(db, { workspaceId: actor.workspaceId, filters: [...filters, ...valueFilters(query)] });
    },

    /** The customer, and its ETag for a later PATCH's If-Match. */
    async get(actor: Actor, id: string) {
      assertCan(actor, 'customers:read');
      const row = await getLiveRow(db, actor, id);
      return { customer: present(actor, row), etag: etagOf(row) };
    },

    /**
     * Edits the profile; records which fields changed (old → new, PII masked) on the customer's timeline.
     * `marketingOptOut` (unsubscribing from marketing SMS, or subscribing again) needs campaigns:send, is
     * audit-logged and gets its own timeline entry, like a 退订 reply.
     */
    async update(actor: Actor, id: string, body: UpdateCustomerBody, ifMatch?: string) {
      assertCan(actor, 'customers:update');
      const { marketingOptOut, ...profileBody } = body;
      // Who gets marketing SMS is the campaign senders' call: agents edit the profile, not this.
      if (marketingOptOut !== undefined) assertCan(actor, 'campaigns:send');
      return publishingTransaction(db, events, async (tx, emit) => {
        const [locked] = await repo.lockCustomers(tx, actor.workspaceId, [id]);
        if (!locked) throw notFound();
        const row = await getLiveRow(tx, actor, id);
        if (ifMatch !== undefined && !ifMatchAllows(ifMatch, etagOf(row))) {
          throw new AppError('customer.modified', '客户资料已被他人修改，请刷新后再保存');
        }
        const { after, changes } = await applyPatch(tx, actor, row, profileBody);
        const optOutChanged = marketingOptOut !== undefined && marketingOptOut !== (row.marketingOptOutAt !== null);
        if (changes.length === 0 && !optOutChanged) return { customer: present(actor, row), etag: etagOf(row) };
        const fields = [...new Set(changes.map((change) => change.field))];
        const updated = await repo.updateCustomer(tx, actor.workspaceId, id, {
          ...(changes.length > 0 ? { ...profileColumns(after), profileUpdatedAt: new Date() } : {}),
          // What an agent entered themselves is no longer only a visitor's claim.
          ...(fields.some((field) => row.unverifiedContacts.includes(field))
            ? { unverifiedContacts: row.unverifiedContacts.filter((field) => !fields.includes(field)) }
            : {}),
          ...(optOutChanged ? { marketingOptOutAt: marketingOptOut ? new Date() : null } : {}),
        });
        if (changes.length > 0) {
          await recordCustomerEvent(tx, {
            workspaceId: actor.workspaceId,
            customerId: id,
            kind: 'profile_updated',
            actorId: actor.userId,
            details: { changes },
          });
        }
        await auditPiiChanges(tx, actor, id, fields);
        if (optOutChanged) {
          fields.push('marketingOptOutAt');
          const action = marketingOptOut ? 'marketing_opted_out' : 'marketing_opted_in';
          const details = { channel: 'manual' };
          await recordCustomerEvent(tx, {
            workspaceId: actor.workspaceId,
            customerId: id,
            kind: action,
            actorId: actor.userId,
            details,
          });
          await audit.record(tx, {
            workspaceId: actor.workspaceId,
            actorId: actor.userId,
            action: `customers.${action}`,
            targetType: 'customer',
            targetId: id,
            details,
          });
        }
        await emit({
          type: 'customer.updated',
          workspaceId: actor.workspaceId,
          performedBy: actor.userId,
          customerId: id,
          fields,
        });
        return { customer: present(actor, updated!), etag: etagOf(updated!) };
      });
    },

    /** Plaintext PII for roles allowed to see it; each reveal is audit-logged (which fields, never the values). */
    async reveal(actor: Actor, id: string, fields: RevealableField[]): Promise<RevealResult> {
      assertCan(actor, 'customers:reveal_pii');
      return db.transaction(async (tx) => {
        const row = await getLiveRow(tx, actor, id);
        const wanted = new Set(fields);
        const result: RevealResult = {};
        if (wanted.has('phone')) result.phone = row.phone;
        if (wanted.has('phones')) result.phones = row.phones;
        if (wanted.has('idCard')) result.idCard = decrypt(row.idCardEnc);
        if (wanted.has('bankCard')) result.bankCard = decrypt(row.bankCardEnc);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'customers.pii_revealed',
          targetType: 'customer',
          targetId: id,
          details: { fields: [...wanted] },
        });
        return result;
      });
    },

    async identities(actor: Actor, id: string): Promise<CustomerIdentity[]> {
      assertCan(actor, 'customers:read');
      await getLiveRow(db, actor, id);
      const masked = !can(actor, 'customers:reveal_pii');
      return (await repo.listIdentities(db, actor.workspaceId, id)).map(({ identity, inboxName, channelType }) => ({
        id: identity.id,
        kind: identity.kind,
        channel:
          channelType ?? (identity.kind === 'platform_buyer' ? identity.externalId.split(':')[0]! : identity.kind),
        inboxId: identity.inboxId,
        inboxName,
        // An SMS sender's id is their phone number.
        externalId:
          masked && (identity.kind === 'phone' || channelType === 'sms')
            ? maskPhone(identity.externalId)
            : identity.externalId,
        createdAt: identity.createdAt.toISOString(),
      }));
    },

    async timeline(actor: Actor, id: string, query: { limit: number; cursor?: string }) {
      assertCan(actor, 'customers:read');
      await getLiveRow(db, actor, id);
      const cursor = decodeCursor(query.cursor);
      const before =
        cursor && typeof cursor[0] === 'string' && typeof cursor[1] === 'string'
          ? { at: cursor[0], id: cursor[1] }
          : undefined;
      if (cursor && !before) throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
      const rows = await repo.timeline(db, actor.workspaceId, id, before, query.limit + 1).catch((error: unknown) => {
        // A hand-made cursor with a time PostgreSQL cannot read.
        if (before && (error as { cause?: { code?: string } }).cause?.code?.startsWith('22')) {
          throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
        }
        throw error;
      });
      const page = rows.slice(0, query.limit);
      const items: TimelineEntry[] = page.map((row) => ({
        id: row.id,
        kind: row.kind,
        at: iso(row.at)!,
        actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? '' } : null,
        details: row.details ?? {},
        conversationId: row.conversation_id,
      }));
      const last = page.at(-1);
      return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.at_text, last.id]) : null };
    },

    async duplicatesOf(actor: Actor, id: string) {
      assertCan(actor, 'customers:read');
      const row = await getLiveRow(db, actor, id);
      const found = await withDuplicatesTimeout(db, (tx) => repo.findDuplicatesOf(tx, row, 50));
      const rows = await repo.findCustomersByIds(
        db,
        actor.workspaceId,
        found.map((candidate) => candidate.id),
      );
      const byId = new Map(rows.map((candidate) => [candidate.id, candidate]));
      return {
        items: found
          .filter((candidate) => byId.has(candidate.id))
          .map((candidate) => ({
            customer: present(actor, byId.get(candidate.id)!),
            reasons: reasonsOf(candidate),
            similarity: Number(candidate.sim),
          })),
      };
    },

    async duplicatePairs(actor: Actor, query: { limit: number; cursor?: string }) {
      assertCan(actor, 'customers:read');
      const after = duplicatePairsCursor(query.cursor);
      const { pairs, walkedTo } = await withDuplicatesTimeout(db, (tx) =>
        repo.listDuplicatePairs(tx, actor.workspaceId, after, query.limit + 1),
      );
      const page = pairs.slice(0, query.limit);
      const rows = await repo.findCustomersByIds(db, actor.workspaceId, [
        ...new Set(page.flatMap((pair) => [pair.a_id, pair.b_id])),
      ]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      const last = page.at(-1);
      // A full page continues after its last pair; a short one after the customers the walk examined.
      const nextCursor =
        pairs.length > query.limit && last
          ? encodeCursor([last.b_id, last.a_id])
          : walkedTo
            ? encodeCursor([walkedTo, NIL_UUID])
            : null;
      return {
        items: page.map((pair) => ({
          a: present(actor, byId.get(pair.a_id)!),
          b: present(actor, byId.get(pair.b_id)!),
          reasons: reasonsOf(pair),
          similarity: Number(pair.sim),
        })),
        nextCursor,
      };
    },

    /** What merging `otherId` into `id` would keep and move; changes nothing. */
    async previewMerge(actor: Actor, id: string, body: MergeBody) {
      assertCan(actor, 'customers:merge');
      const { survivor, other } = await loadPair(db, actor, id, body.otherId, false);
      const { merged, fields } = mergeProfiles(profileOf(survivor), profileOf(other), body.fieldChoices);
      const result = {
        ...survivor,
        ...profileColumns(merged),
        unverifiedContacts: mergedUnverifiedContacts(survivor, other, fields),
      } as repo.CustomerRow;
      return {
        survivor: present(actor, survivor),
        other: present(actor, other),
        result: present(actor, result),
        fields: fields.map((field) => ({
          ...field,
          survivor: presentField(actor, field.field, field.survivor),
          other: presentField(actor, field.field, field.other),
        })),
        moves: await repo.countMerge(db, actor.workspaceId, other.id, survivor.id),
      };
    },

    /** Merges `otherId` into `id` in one transaction (mergeRecords), with the fields chosen per `fieldChoices`. */
    async merge(actor: Actor, id: string, body: MergeBody) {
      assertCan(actor, 'customers:merge');
      return db.transaction(async (tx) => {
        const { survivor, other } = await loadPair(tx, actor, id, body.otherId, true);
        const { mergeId, moves } = await mergeRecords(tx, survivor, other, {
          performedBy: actor.userId,
          fieldChoices: body.fieldChoices,
        });
        // A merge on contact details nobody verified must not hand one person's chat history to another's browser.
        await repo.revokeVisitorTokens(tx, actor.workspaceId, [survivor.id, other.id]);
        const refreshed = (await repo.findCustomer(tx, actor.workspaceId, survivor.id))!;
        return { mergeId, customer: present(actor, refreshed), moves };
      });
    },

    /** 注销: erases the customer's personal data for good (customer-erasure.ts). */
    anonymize: (actor: Actor, id: string, body: AnonymizeCustomerBody) =>
      anonymizeCustomer({ db, audit, events }, actor, id, body.reason),

    /** Restores both records as they were before the merge and moves the moved rows back. */
    async undoMerge(actor: Actor, mergeId: string) {
      assertCan(actor, 'customers:merge');
      return db.transaction(async (tx) => {
        const merge = await repo.lockMerge(tx, actor.workspaceId, mergeId);
        if (!merge) throw new AppError('customer_merge.not_found', '合并记录不存在');
        if (merge.undoneAt) throw new AppError('customer_merge.already_undone', '这次合并已经撤销过了');
        const rows = await repo.lockCustomers(tx, actor.workspaceId, [merge.survivorId, merge.mergedId]);
        const survivor = rows.find((row) => row.id === merge.survivorId);
        const restored = rows.find((row) => row.id === merge.mergedId);
        if (!survivor || !restored)
          throw new AppError('customer_merge.not_undoable', '合并涉及的客户已被删除，无法撤销');
        if (survivor.mergedIntoId || restored.mergedIntoId !== survivor.id) {
          throw new AppError('customer_merge.not_undoable', '保留的客户之后又被合并了，请先撤销之后的合并', {
            mergedInto: survivor.mergedIntoId,
          });
        }
        if (merge.snapshot.erased) {
          throw new AppError('customer_merge.not_undoable', '客户已注销，个人信息已删除，这次合并无法撤销');
        }
        const snapshot = merge.snapshot as {
          survivor: Record<string, unknown>;
          other: Record<string, unknown>;
          result: Record<string, unknown>;
        };
        const edited = editedSinceMerge(survivor, snapshot.result);
        if (edited.length > 0) {
          throw new AppError('customer_merge.not_undoable', '合并后客户资料又被修改过，撤销会丢失这些修改', {
            fields: edited,
          });
        }
        // A 退订 never blocks an undo and is never lost by one: both records keep it (we cannot tell whose it was,
        // and over-suppressing marketing is the safe side), while profile edits refuse the undo above.
        const optOutSince = optOutSinceMerge(survivor, snapshot);
        await repo.moveBack(tx, actor.workspaceId, survivor.id, restored.id, merge.moved as repo.MovedIds);
        await repo.restoreCustomer(tx, actor.workspaceId, snapshot.survivor, optOutSince);
        await repo.restoreCustomer(tx, actor.workspaceId, snapshot.other, optOutSince);
        await repo.markMergeUndone(tx, merge.id, actor.userId);
        // The snapshots hold the values from before the merge; orders may have changed since.
        await refreshCustomerValue(tx, actor.workspaceId, [survivor.id, restored.id]);
        for (const [customerId, otherId] of [
          [survivor.id, restored.id],
          [restored.id, survivor.id],
        ] as const) {
          await recordCustomerEvent(tx, {
            workspaceId: actor.workspaceId,
            customerId,
            kind: 'merge_undone',
            actorId: actor.userId,
            details: { mergeId, otherId },
          });
        }
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'customers.merge_undone',
          targetType: 'customer',
          targetId: survivor.id,
          details: { mergeId, restoredId: restored.id, ...(optOutSince ? { keptMarketingOptOut: true } : {}) },
        });
        const [survivorAfter, restoredAfter] = await Promise.all([
          repo.findCustomer(tx, actor.workspaceId, survivor.id),
          repo.findCustomer(tx, actor.workspaceId, restored.id),
        ]);
        return { survivor: present(actor, survivorAfter!), restored: present(actor, restoredAfter!) };
      });
    },

    /** Customers whose profile was not updated within the workspace's threshold (30 days active, 60 others). */
    async staleProfiles(actor: Actor, query: { limit: number; cursor?: string }) {
      assertCan(actor, 'customers:read');
      const cursor = decodeCursor(query.cursor);
      const after =
        cursor && typeof cursor[0] === 'string' && typeof cursor[1] === 'string' && /^[0-9a-f-]{36}$/i.test(cursor[1])
          ? { at: cursor[0], id: cursor[1] }
          : undefined;
      if (cursor && !after) throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
      const days = await staleProfileDays(db, actor.workspaceId);
      const found = await repo.listStaleProfiles(db, actor.workspaceId, days, after, query.limit + 1).catch((error) => {
        if (after && (error as { cause?: { code?: string } }).cause?.code?.startsWith('22')) {
          throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
        }
        throw error;
      });
      const page = found.slice(0, query.limit);
      const rows = await repo.findCustomersByIds(
        db,
        actor.workspaceId,
        page.map((item) => item.id),
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      const last = page.at(-1);
      return {
        items: page.map((item) => ({
          customer: present(actor, byId.get(item.id)!),
          lastUpdatedAt: iso(item.at_text)!,
          thresholdDays: item.threshold,
        })),
        nextCursor: found.length > query.limit && last ? encodeCursor([last.at_text, last.id]) : null,
      };
    },

    resolveIdentity,

    resolveCustomerByContact,
    recordCustomerEvent,

    findIdentity: (workspaceId: string, inboxId: string, kind: repo.IdentityKind, externalId: string) =>
      findInboxIdentity({ workspaceId, inboxId, kind, externalId }),

    /**
     * The customer a channel sender speaks for: a known sender who brings no contact details to fill in costs one
     * read; anyone else goes through resolveIdentity's locking transaction (created, and announced, on first sight).
     * `token` (a widget visitor's) is stored hashed on an identity created now.
     */
    async customerForIdentity(input: {
      workspaceId: string;
      inboxId: string;
      kind: repo.IdentityKind;
      externalId: string;
      token?: string;
      details?: ContactDetails;
    }): Promise<{ customerId: string; created: boolean }> {
      const { details } = input;
      const hasDetails = Boolean(details?.name || details?.email || details?.phone);
      const known = hasDetails ? undefined : await findInboxIdentity(input);
      if (known) return { customerId: known.customerId, created: false };
      const resolved = await publishingTransaction(db, events, async (tx, emit) => {
        const resolved = await resolveIdentity(tx, input);
        if (resolved.created) await emit(customerCreated(input.workspaceId, resolved.customerId));
        return resolved;
      });
      return { customerId: resolved.customerId, created: resolved.created };
    },

    /**
     * Links a visitor to the shop user it proved to be (signed identifier), so the visitor sees that customer's
     * history. A shop user seen for the first time becomes the visitor's own record. Otherwise the visitor identity
     * moves to the shop user's customer, and the visitor's record, when no other identity is left on it, is merged
     * into that customer: what agents recorded on the visitor (profile, tags, timeline, tickets) is kept, and an
     * admin can undo it like a manual merge. Answers the conversations that changed customer (to publish once
     * committed).
     */
    async linkVisitorToShopUser(
      workspaceId: string,
      inboxId: string,
      visitorIdentityId: string,
      shopUserId: string,
      name?: string,
    ) {
      return db.transaction(async (tx) => {
        const visitorCustomerId = await repo.identityCustomerId(tx, visitorIdentityId);
        const { customerId } = await resolveIdentity(tx, {
          workspaceId,
          inboxId,
          kind: 'shop_user',
          externalId: shopUserId,
          details: { name },
          customerId: visitorCustomerId,
        });
        const unchanged = { customerId, movedConversations: [] as string[] };
        if (!visitorCustomerId || visitorCustomerId === customerId) return unchanged;
        await repo.moveIdentity(tx, visitorIdentityId, customerId);
        if (await repo.hasIdentities(tx, visitorCustomerId)) return unchanged;
        const rows = await repo.lockCustomers(tx, workspaceId, [customerId, visitorCustomerId]);
        const survivor = rows.find((row) => row.id === customerId);
        const visitor = rows.find((row) => row.id === visitorCustomerId);
        if (!survivor || !visitor || survivor.mergedIntoId || visitor.mergedIntoId) return unchanged;
        const merged = await mergeRecords(tx, survivor, visitor, { performedBy: null, reason: 'shop_user_sign_in' });
        return { customerId, movedConversations: merged.movedConversations };
      });
    },
  };
}

/**
 * Duplicate lookups are index-bound by design; should a plan go wrong anyway, the lookup fails with a clear error
 * within seconds instead of holding a pool connection and a CPU core for minutes.
 */
async function withDuplicatesTimeout<T>(db: Db, lookup: (tx: Executor) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(sql`set local statement_timeout = '10s'`);
      // The lookups read a few index ranges; starting parallel workers would cost more than they save.
      await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
      return lookup(tx);
    });
  } catch (error) {
    // 57014: query_canceled (the statement timeout).
    if (postgresCode(error) !== '57014') throw error;
    throw new AppError('customer.duplicates_timeout', '查找疑似重复客户超时，请稍后重试');
  }
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The workspace duplicates list continues below the pair (b, a) of its cursor. */
function duplicatePairsCursor(cursor: string | undefined) {
  const values = decodeCursor(cursor);
  if (!values) return null;
  const [bId, aId] = values;
  if (values.length !== 2 || typeof bId !== 'string' || typeof aId !== 'string' || !UUID.test(bId) || !UUID.test(aId)) {
    throw new AppError('request.invalid', '分页游标无效，请从第一页重新加载');
  }
  return { bId, aId };
}

function reasonsOf(row: { phone_match: boolean; email_match: boolean; buyer_match: boolean; name_match: boolean }) {
  const reasons: DuplicateReason[] = [];
  if (row.phone_match) reasons.push('phone');
  if (row.email_match) reasons.push('email');
  if (row.buyer_match) reasons.push('platform_buyer');
  if (row.name_match) reasons.push('similar_name');
  return reasons;
}
