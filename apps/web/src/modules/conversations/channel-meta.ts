import type { Message } from '@huike/contracts';
import type { TFunction } from 'i18next';

/*
 * A message's channelMeta is what its channel adds (contracts: "email subject/from/to/cc/html (sanitised),
 * WeChat msgType/event"). It is a loose record on the wire, so it is read here defensively, in one place:
 * a field of an unexpected shape is treated as absent, never trusted.
 */

type Meta = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

const pick = (meta: Meta, ...keys: string[]): unknown => {
  for (const key of keys) if (meta[key] !== undefined && meta[key] !== null) return meta[key];
  return undefined;
};

/** One address as mail clients show it: `Name <address>`, or the address alone. */
function formatAddress(value: unknown): string | undefined {
  if (typeof value === 'string') return text(value);
  if (value && typeof value === 'object') {
    const { name, address } = value as { name?: unknown; address?: unknown };
    const email = text(address);
    const display = text(name);
    if (email && display && display !== email) return `${display} <${email}>`;
    return email ?? display;
  }
  return undefined;
}

/** Address lists arrive as a string, an object, an array of either, or mailparser's `{value: [...], text}`. */
export function formatAddresses(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const parts = value.map(formatAddress).filter((part): part is string => Boolean(part));
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  if (typeof value === 'object' && 'value' in value && Array.isArray((value as { value: unknown }).value)) {
    return formatAddresses((value as { value: unknown[] }).value);
  }
  if (typeof value === 'object' && 'text' in value) return text((value as { text: unknown }).text);
  return formatAddress(value);
}

/** The bare email address of the first entry (for the composer's "发送给 …"). */
export function firstAddress(value: unknown): string | undefined {
  const entry = Array.isArray(value)
    ? value[0]
    : value && typeof value === 'object' && 'value' in value && Array.isArray((value as { value: unknown }).value)
      ? (value as { value: unknown[] }).value[0]
      : value;
  if (typeof entry === 'string') {
    const match = /<([^>]+)>/.exec(entry);
    return text(match ? match[1] : entry);
  }
  if (entry && typeof entry === 'object') return text((entry as { address?: unknown }).address);
  return undefined;
}

export type EmailMeta = {
  subject: string | undefined;
  from: string | undefined;
  to: string | undefined;
  cc: string | undefined;
  /** Sanitised on the server; shown only inside a sandboxed iframe. */
  html: string | undefined;
  /** Attachments the server did not keep, by name: the agent knows they existed. */
  skippedAttachments: string[];
};

/** The email parts of a message, or null when the message did not come from (or go out by) email. */
export function emailMetaOf(message: Pick<Message, 'channelMeta'>): EmailMeta | null {
  const meta = message.channelMeta;
  if (!meta) return null;
  const email: EmailMeta = {
    subject: text(pick(meta, 'subject')),
    from: formatAddresses(pick(meta, 'from')),
    to: formatAddresses(pick(meta, 'to')),
    cc: formatAddresses(pick(meta, 'cc')),
    html: text(pick(meta, 'html')),
    skippedAttachments: Array.isArray(meta.skippedAttachments)
      ? meta.skippedAttachments.flatMap((item) => {
          const name = item && typeof item === 'object' ? text((item as { name?: unknown }).name) : undefined;
          return name ? [name] : [];
        })
      : [],
  };
  const isEmail = email.subject !== undefined || email.from !== undefined || email.html !== undefined;
  return isEmail ? email : null;
}

/** An email conversation's thread: the customer's address and the subject (without Re:). */
export type EmailThread = { to: string | undefined; subject: string | undefined };

/**
 * Where an agent's email reply goes while its channel has not said yet (sending, or failed before the mail was
 * written): the thread's customer address and subject, as the sender writes them (Re: …).
 */
export function expectedEmailMeta(thread: EmailThread): EmailMeta {
  return {
    subject: thread.subject ? `Re: ${thread.subject}` : undefined,
    from: undefined,
    to: thread.to,
    cc: undefined,
    html: undefined,
    skippedAttachments: [],
  };
}

export type WechatEvent = { event: string; key: string | undefined };

const wechatMsgType = (meta: Meta): string | undefined => text(pick(meta, 'msgType', 'MsgType', 'type'))?.toLowerCase();

/** A WeChat event (关注 / 取消关注 / 菜单点击 …), shown as a quiet line rather than a bubble. */
export function wechatEventOf(message: Pick<Message, 'channelMeta'>): WechatEvent | null {
  const meta = message.channelMeta;
  if (!meta) return null;
  const event = text(pick(meta, 'event', 'Event'));
  if (!event) return null;
  return { event: event.toLowerCase(), key: text(pick(meta, 'eventKey', 'EventKey', 'key')) };
}

/** What the customer did, in words: 关注了公众号, 点击了菜单「…」. */
export function wechatEventText(event: WechatEvent, t: TFunction): string {
  switch (event.event) {
    case 'subscribe':
      return t('channelChat.wechat.subscribe');
    case 'unsubscribe':
      return t('channelChat.wechat.unsubscribe');
    case 'click':
      return t('channelChat.wechat.menuClick', { key: event.key ?? '' });
    case 'scan':
      return t('channelChat.wechat.scan');
    case 'view':
      return t('channelChat.wechat.view');
    case 'location':
      return t('channelChat.wechat.location');
    default:
      return t('channelChat.wechat.event', { event: event.event });
  }
}

/** A WeChat voice message and the text WeChat recognised in it (when it did). */
export function wechatVoiceOf(
  message: Pick<Message, 'channelMeta' | 'content'>,
): { recognition: string | null } | null {
  const meta = message.channelMeta;
  if (!meta || wechatMsgType(meta) !== 'voice') return null;
  const recognition = text(pick(meta, 'recognition', 'Recognition')) ?? text(message.content);
  return { recognition: recognition ?? null };
}

/**
 * Attachments the channel could not carry (a WeChat reply sends text and JPG/PNG/GIF images only): their names, an
 * empty list when the channel did not name them, null when everything went.
 */
export function attachmentsNotSentOf(message: Pick<Message, 'channelMeta'>): string[] | null {
  const value = message.channelMeta?.attachmentsNotSent;
  if (Array.isArray(value)) return value.filter((name): name is string => typeof name === 'string');
  return value === true ? [] : null;
}

const replyPrefix = /^(?:\s*(?:re|fw|fwd|回复|答复|转发)\s*[:：]\s*)+/i;

/** The subject of a conversation's email thread: the customer's newest mail's (else any), without Re:/回复：. */
export function threadSubject(messages: readonly Pick<Message, 'channelMeta' | 'direction'>[]): string | undefined {
  let fallback: string | undefined;
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    const subject = message?.channelMeta ? text(message.channelMeta.subject) : undefined;
    if (!subject) continue;
    const bare = subject.replace(replyPrefix, '').trim() || subject;
    if (message?.direction === 'inbound') return bare;
    fallback ??= bare;
  }
  return fallback;
}

/** The customer's address in an email thread: the sender of the newest inbound mail. */
export function threadCustomerAddress(
  messages: readonly Pick<Message, 'channelMeta' | 'direction'>[],
): string | undefined {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.direction !== 'inbound' || !message.channelMeta) continue;
    const address = firstAddress(message.channelMeta.from);
    if (address) return address;
  }
  return undefined;
}

/** SMS are billed per 70 characters; a longer one is split into parts of 67 (the rest carries the join header). */
export function smsSegments(content: string): number {
  const length = [...content].length;
  if (length === 0) return 0;
  return length <= 70 ? 1 : Math.ceil(length / 67);
}

/**
 * The srcdoc for an email's sanitised HTML. The iframe that shows it has `sandbox` without allow-scripts and
 * without allow-same-origin, and this CSP forbids scripts, plugins, forms and any remote load besides images
 * that are inline (data:) — a mail that slipped past the sanitiser still cannot run or phone home.
 */
export function emailSrcDoc(html: string): string {
  const csp =
    "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'";
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="referrer" content="no-referrer"><base target="_blank"><style>html,body{margin:0;padding:8px;font:14px/1.6 -apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f1f1f;word-break:break-word;overflow-wrap:anywhere}img{max-width:100%;height:auto}table{max-width:100%}pre{white-space:pre-wrap}</style></head><body>${html}</body></html>`;
}

/**
 * A sandboxed iframe without allow-same-origin cannot be measured from outside, so its height is estimated
 * from the content (parsed inertly: DOMParser runs no script and loads nothing): lines of text, block
 * elements and images. The frame scrolls for whatever the estimate misses.
 */
export function estimateEmailHeight(html: string, width = 560): number {
  let textLength = html.length / 4;
  let blocks = 0;
  let images = 0;
  try {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    textLength = (doc.body.textContent ?? '').replace(/\s+/g, ' ').length;
    blocks = doc.body.querySelectorAll('p, div, br, li, tr, h1, h2, h3, h4, blockquote, pre').length;
    images = doc.body.querySelectorAll('img').length;
  } catch {
    // No DOMParser (tests without a DOM): the rough estimate above.
  }
  const charsPerLine = Math.max(20, Math.floor(width / 14));
  const lines = Math.ceil(textLength / charsPerLine) + blocks;
  const estimate = 40 + lines * 24 + images * 160;
  return Math.max(120, Math.min(720, estimate));
}
