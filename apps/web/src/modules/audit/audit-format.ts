import { type AuditEntry, type AutomationTrigger, exportFieldLabel } from '@huike/contracts';
import i18n, { type TFunction } from 'i18next';
import { triggerSummary } from '../automation/labels.ts';
import { ticketsZhCN } from '../tickets/i18n.ts';
import { eventLabel } from '../webhooks/events.ts';

/*
 * How an audit entry reads to a person: 「修改成员角色 · 成员 小美 · 角色：客服 → 管理员」. Every action code the server
 * records has a label (modules/audit/i18n.ts); an unknown code, field or value still shows, as it is.
 */

/** Action codes by area, for the filter (the server may record others: they show as their code). */
export const actionGroups = {
  members: [
    'users.created',
    'users.role_changed',
    'users.disabled',
    'users.enabled',
    'users.updated',
    'users.password_changed',
    'users.password_reset',
    'workspace.updated',
    'teams.created',
    'teams.updated',
    'teams.deleted',
    'api_tokens.created',
    'api_tokens.revoked',
  ],
  customers: [
    'customers.pii_revealed',
    'customers.bulk_updated',
    'customers.exported',
    'customers.export_cancelled',
    'customers.imported',
    'customers.import_cancelled',
    'orders.imported',
    'orders.import_cancelled',
    'customers.merged',
    'customers.merge_undone',
    'customers.anonymized',
    'customers.pii_updated',
    'customers.marketing_opted_out',
    'customers.marketing_opted_in',
    'tags.deleted',
    'tag_groups.deleted',
    'settings.customer_value_updated',
  ],
  service: [
    'routing.rule_created',
    'routing.rule_updated',
    'routing.rule_deleted',
    'routing.agent_updated',
    'routing.inbox_members_set',
    'sla_policies.created',
    'sla_policies.updated',
    'sla_policies.deleted',
    'ticket.merged',
    'ticket.bulk_updated',
    'automation_rule.created',
    'automation_rule.updated',
    'automation_rule.deleted',
    'keyword_replies.created',
    'keyword_replies.updated',
    'keyword_replies.deleted',
    'kb_articles.created',
    'kb_articles.updated',
    'kb_articles.published',
    'kb_articles.unpublished',
    'kb_articles.deleted',
    'kb_categories.created',
    'kb_categories.updated',
    'kb_categories.deleted',
    'bot_settings.updated',
  ],
  channels: [
    'inboxes.created',
    'inboxes.updated',
    'inboxes.business_hours_updated',
    'business_hours.holiday_saved',
    'business_hours.holiday_deleted',
    'business_hours.holiday_preset_imported',
  ],
  integrations: [
    'webhooks.created',
    'webhooks.updated',
    'webhooks.deleted',
    'webhooks.delivery_replayed',
    'sms_campaigns.created',
  ],
} as const;

export const targetTypes = [
  'user',
  'team',
  'customer',
  'inbox',
  'routing_rule',
  'sla_policy',
  'ticket',
  'kb_article',
  'kb_category',
  'automation_rule',
  'keyword_reply',
  'holiday',
  'tag',
  'tag_group',
  'webhook',
  'sms_campaign',
  'import',
  'file',
  'job',
  'workspace',
] as const;

/** Punctuation of the language shown: 「、」「；」 in Chinese, commas in English. */
const sep = (t: TFunction) => ({
  colon: t('audit.values.colon'),
  list: t('audit.values.listSeparator'),
  pair: t('audit.values.pairSeparator'),
  part: t('audit.values.partSeparator'),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A translation, or undefined when there is none (never a key echoed back, never a nested object). */
function lookup(t: TFunction, key: string, options?: Record<string, unknown>): string | undefined {
  const value = t(key as 'audit.title', { defaultValue: '', ...options }) as unknown;
  return typeof value === 'string' && value !== '' && value !== key ? value : undefined;
}

/** Known actions get a human label; anything newer shows its code, so nothing is hidden. */
export const actionLabel = (action: string, t: TFunction): string => lookup(t, `audit.actions.${action}`) ?? action;

export const targetTypeLabel = (type: string, t: TFunction): string => lookup(t, `audit.targets.${type}`) ?? type;

/** A field's name; connection settings read 「连接设置 · imap.host」. */
export function fieldLabel(field: string, t: TFunction): string {
  if (field.startsWith('channelConfig.')) return `${lookup(t, 'audit.fields.channelConfig')} · ${field.slice(14)}`;
  return lookup(t, `audit.fields.${field}`) ?? field;
}

/** A short, stable piece of an id (UUIDv7 ids share their first characters when made close together). */
export const shortId = (id: string) => `#${id.slice(-8)}`;

export type TargetView = { type: string | null; name: string | null; email: string | null; reference: string | null };

/** What the 对象 column shows: the type, the name (as recorded, or today's), the email, and an id when no name. */
export function targetView(entry: AuditEntry, t: TFunction): TargetView {
  const email = typeof entry.details.email === 'string' ? entry.details.email : null;
  const id = entry.targetId;
  // Dates (holidays) and other readable keys are shown whole; ids only when there is no name to show instead.
  const reference = id && !UUID.test(id) ? id : id && !entry.targetName ? shortId(id) : null;
  return {
    type: entry.targetType ? targetTypeLabel(entry.targetType, t) : null,
    name: entry.targetName,
    email,
    reference,
  };
}

function minutes(value: number, t: TFunction): string {
  if (value > 0 && value % 1440 === 0) return t('audit.values.days', { count: value / 1440 });
  if (value > 0 && value % 60 === 0) return t('audit.values.hours', { count: value / 60 });
  return t('audit.values.minutes', { count: value });
}

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

type Weekly = Partial<Record<(typeof weekdays)[number], { start: string; end: string }[]>>;

/** 「周一至周五 09:00–18:00；周六、周日 休息」. */
function businessHoursText(value: Record<string, unknown>, t: TFunction): string {
  if (value.enabled !== true) return t('audit.values.off');
  const weekly = (value.weekly ?? {}) as Weekly;
  const day = (key: (typeof weekdays)[number]) => t(`audit.values.weekdays.${key}`);
  const spans = weekdays.map((key) => {
    const ranges = weekly[key] ?? [];
    return ranges.length === 0
      ? t('audit.values.closed')
      : ranges.map((range) => `${range.start}–${range.end}`).join(sep(t).list);
  });
  const groups: { from: number; to: number; text: string }[] = [];
  spans.forEach((text, index) => {
    const last = groups.at(-1);
    if (last && last.text === text) last.to = index;
    else groups.push({ from: index, to: index, text });
  });
  const days = ({ from, to }: { from: number; to: number }) => {
    if (from === 0 && to === 6) return t('audit.values.everyDay');
    if (from === to) return day(weekdays[from]!);
    if (to === from + 1) return `${day(weekdays[from]!)}${sep(t).list}${day(weekdays[to]!)}`;
    return t('audit.values.dayRange', { from: day(weekdays[from]!), to: day(weekdays[to]!) });
  };
  const text = groups.map((group) => `${days(group)} ${group.text}`).join(sep(t).part);
  const zone = typeof value.timezone === 'string' && value.timezone !== 'Asia/Shanghai' ? ` (${value.timezone})` : '';
  return `${text}${zone}`;
}

const valueMaps: Record<string, string> = {
  role: 'roles',
  status: 'audit.values.status',
  hours: 'audit.values.clock',
  severities: 'audit.values.severity',
  severity: 'audit.values.severity',
  locale: 'audit.values.locale',
  kind: 'audit.values.kind',
  channelType: 'audit.values.channelType',
  via: 'audit.values.via',
  action: 'audit.values.bulkAction',
  // Automation rules: the trigger's kind (as created entries record it), the fields conditions test, the actions.
  trigger: 'automation.triggers',
  conditions: 'automation.fields',
  actions: 'automation.actions',
  // Keyword replies.
  matchMode: 'keywordReplies.modes',
  replyHours: 'keywordReplies.hours',
  frequency: 'keywordReplies.frequencies',
};

/** The log keeps ticket categories by name: a built-in one still named as shipped reads in the user's language. */
const builtInCategoryKeys = new Map(Object.entries(ticketsZhCN.categories).map(([key, name]) => [name, key]));

/** One value as a person reads it: names for codes, 「60 分钟」 for minutes, 是/否, lists joined with 、. */
export function formatValue(field: string, value: unknown, t: TFunction): string {
  if (value === null || value === undefined) return t('audit.values.none');
  if (value === '') return t('audit.values.empty');
  if (typeof value === 'boolean') {
    if (field === 'enabled') return t(value ? 'audit.values.on' : 'audit.values.off');
    return t(value ? 'audit.values.yes' : 'audit.values.no');
  }
  if (typeof value === 'number') return field.endsWith('Minutes') ? minutes(value, t) : String(value);
  if (typeof value === 'string') {
    if (field === 'events' || field === 'event') return eventLabel(t, value);
    const category = field === 'categories' ? builtInCategoryKeys.get(value) : undefined;
    if (category) return t(`tickets.categories.${category as 'inquiry'}`);
    const map = valueMaps[field];
    const named = map ? lookup(t, `${map}.${value}`) : undefined;
    if (named) return named;
    return /Id$/.test(field) && UUID.test(value) ? shortId(value) : value;
  }
  if (Array.isArray(value)) {
    // A keyword reply without channels answers in every channel.
    if (value.length === 0) return t(field === 'inboxes' ? 'audit.values.allInboxes' : 'audit.values.none');
    return value.map((item) => formatValue(field, item, t)).join(sep(t).list);
  }
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (field === 'businessHours') return businessHoursText(object, t);
    // An automation rule's trigger with its settings: 「客服 10 分钟未回复」 (a tag by its id: the log keeps no name).
    if (field === 'trigger' && typeof object.type === 'string')
      return triggerSummary(object as AutomationTrigger, t, (id) => (UUID.test(id) ? shortId(id) : id));
    if (field === 'offlineReply') {
      const state = t(object.enabled === true ? 'audit.values.on' : 'audit.values.off');
      return typeof object.content === 'string' && object.content ? `${state}${sep(t).colon}${object.content}` : state;
    }
    return Object.entries(object)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${fieldLabel(key, t)}${sep(t).colon}${formatValue(key, item, t)}`)
      .join(sep(t).pair);
  }
  return String(value);
}

const isPlainList = (value: unknown): value is (string | number)[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number');

/** 「客服 → 管理员」, 「新增 小美；移除 小王」 for lists, 「已修改（不显示内容）」 for secrets. */
export function formatChange(field: string, change: unknown, t: TFunction): string {
  if (change && typeof change === 'object' && !Array.isArray(change)) {
    const record = change as Record<string, unknown>;
    if (record.changed === true && !('before' in record)) {
      const isSecret = field.startsWith('channelConfig.') || field === 'secret';
      return t(isSecret ? 'audit.values.secretChanged' : 'audit.values.changed');
    }
    if ('before' in record && 'after' in record) {
      const { before, after } = record;
      if (isPlainList(before) && isPlainList(after) && (before.length > 0 || after.length > 0)) {
        const added = after.filter((item) => !before.includes(item));
        const removed = before.filter((item) => !after.includes(item));
        if (added.length + removed.length > 0 && before.length > 0 && after.length > 0) {
          const parts = [
            added.length > 0 && t('audit.values.added', { items: formatValue(field, added, t) }),
            removed.length > 0 && t('audit.values.removed', { items: formatValue(field, removed, t) }),
          ];
          return parts.filter(Boolean).join(sep(t).part);
        }
      }
      return `${formatValue(field, before, t)} → ${formatValue(field, after, t)}`;
    }
  }
  // Older shapes (`changes: { severity: 'urgent' }` of a bulk edit): the new value only.
  return t('audit.values.set', { value: formatValue(field, change, t) });
}

export type DetailLine = { key: string; label: string; text: string };

const exportActions = new Set(['customers.exported', 'customers.export_cancelled']);

/** A field an entry touched: an export's (finished or cancelled) are named as the export file heads its columns. */
const touchedFieldLabel = (action: string, field: string, t: TFunction): string =>
  (exportActions.has(action) && exportFieldLabel(field, i18n.language === 'en' ? 'en' : 'zh-CN')) ||
  fieldLabel(field, t);

/** Facts that the 对象 column already shows. */
const shownAsTarget = new Set(['name', 'title', 'email']);

/** The 详情 column: the changes first, then the other facts of the entry. */
export function detailLines(entry: AuditEntry, t: TFunction): DetailLine[] {
  const lines: DetailLine[] = [];
  const { changes, fields, ...facts } = entry.details;
  if (changes && typeof changes === 'object' && !Array.isArray(changes)) {
    for (const [field, change] of Object.entries(changes as Record<string, unknown>)) {
      lines.push({ key: `change:${field}`, label: fieldLabel(field, t), text: formatChange(field, change, t) });
    }
  }
  if (Array.isArray(fields) && fields.length > 0) {
    // An update's `fields` are the ones it changed (entries that predate before → after); elsewhere (exports,
    // reveals) they are the fields it touched.
    lines.push({
      key: 'fields',
      label: fieldLabel(/updated$/.test(entry.action) ? 'changedFields' : 'fields', t),
      text: fields.map((field) => touchedFieldLabel(entry.action, String(field), t)).join(sep(t).list),
    });
  }
  for (const [key, value] of Object.entries(facts)) {
    if (value === undefined) continue;
    // The target's own name is in the 对象 column, unless it names something else (a tag group of a bulk edit).
    if (shownAsTarget.has(key) && (typeof value !== 'string' || value === entry.targetName || key === 'email'))
      continue;
    lines.push({ key, label: fieldLabel(key, t), text: formatValue(key, value, t) });
  }
  return lines;
}
