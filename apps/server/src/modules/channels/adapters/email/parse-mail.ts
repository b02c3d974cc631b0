import { createHash } from 'node:crypto';
import { ATTACHMENT_MAX_BYTES } from '@huike/contracts';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { lazyModule } from '../../../../platform/lazy-module.ts';
import type { DeliveryFailure } from '../../../../platform/outbox.ts';
import { agentAttachmentUrl, attachmentName, sniffAttachment } from '../../../conversations/index.ts';
import * as repo from '../../channels.repository.ts';
import type { ChannelInbound, ChannelInbox, ChannelRuntime } from '../types.ts';

const mailparser = lazyModule<typeof import('mailparser')>('mailparser');

/*
 * Raw RFC 822 mail (from IMAP or the forwarding SMTP endpoint) → what the channel stores. One place decides what a
 * mail is: a customer's message (text without the quoted history, sanitised html, attachments kept, the conversation
 * it answers), a bounce of a message we sent (DSN or a Chinese provider's 退信), or something to ignore (auto-replies,
 * our own mail coming back, mail without a sender).
 */

/** What an inbound email keeps in Message.channelMeta (the workbench shows subject, from/to/cc and 「查看原邮件」). */
export type EmailMeta = {
  subject: string;
  /** Display form: `张伟 <zhang.wei@example.cn>`. */
  from: string;
  to: string | null;
  cc: string | null;
  /** Sanitised: no scripts, handlers, forms, frames or overlay styles; remote images without src. Null when none. */
  html: string | null;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  /** Attachments not kept (too large, a type we do not serve, too many), by name: the agent knows they existed. */
  skippedAttachments?: { name: string; reason: 'too_large' | 'type_refused' | 'too_many' }[];
};

export type MailContext = { inbox: ChannelInbox; runtime: ChannelRuntime };

export type ParsedMailOutcome =
  | { kind: 'message'; inbound: ChannelInbound }
  | { kind: 'bounce'; originalMessageId: string; reason: string; failure: DeliveryFailure }
  /** `malformed`: not a mail at all (no sender, unreadable): an SMTP receiver refuses it instead of dropping it. */
  | { kind: 'ignored'; reason: string; malformed?: boolean };

export type MailOutcome =
  | { kind: 'message'; messageId: string; isDuplicate: boolean }
  | { kind: 'bounce'; originalMessageId: string; reason: string; recorded: boolean }
  | { kind: 'ignored'; reason: string; malformed?: boolean };

/** Attachments kept per mail; the rest are listed in skippedAttachments. */
export const MAX_MAIL_ATTACHMENTS = 20;
const MAX_CONTENT_CHARS = 20_000;
const MAX_HTML_CHARS = 512 * 1024;
const MAX_HTML_INPUT_CHARS = 4 * 1024 * 1024;
const MAX_REASON_CHARS = 300;
/** The content of a mail with neither text, subject nor attachments: a stand-in, not scored (nlp's isScorable). */
const NO_BODY = '（无正文）';

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const MESSAGE_ID = /<[^<>\s]{1,900}>/g;

// ---------------------------------------------------------------------------------------------------------------
// HTML

/** Colours and simple formatting only: nothing that positions, layers, hides or loads (url()) anything. */
const COLOR = [/^(#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\(\s*[\d.%]+\s*(,\s*[\d.%]+\s*){2,3}\))$/i];
const LENGTH = [/^-?\d{1,4}(\.\d+)?(px|pt|em|rem|%)?$/];
const BOX = [/^(-?\d{1,4}(\.\d+)?(px|pt|em|rem|%)?\s*){1,4}$/];
const MAIL_STYLES: Record<string, RegExp[]> = {
  color: COLOR,
  'background-color': COLOR,
  'text-align': [/^(left|right|center|justify)$/],
  'font-weight': [/^(normal|bold|bolder|lighter|[1-9]00)$/],
  'font-style': [/^(normal|italic|oblique)$/],
  'text-decoration': [/^(none|underline|line-through|overline)$/],
  'font-size': LENGTH,
  'font-family': [/^[\w\s,"'\u4e00-\u9fff-]{1,100}$/],
  'line-height': LENGTH,
  margin: BOX,
  padding: BOX,
  'vertical-align': [/^(top|middle|bottom|baseline)$/],
  'white-space': [/^(normal|nowrap|pre|pre-wrap|pre-line)$/],
};

const TABLE_CELL = ['colspan', 'rowspan', 'width', 'height', 'valign', 'align', 'bgcolor'];

/**
 * Sanitises a mail's html for display. `inline` maps Content-IDs to stored attachment ids: those images point at the
 * agent attachment route; every other image loses its src (keeps alt), so opening a mail tells the sender nothing.
 */
export function sanitizeMailHtml(html: string, inline: ReadonlyMap<string, string> = new Map()): string {
  return sanitizeHtml(html, {
    allowedTags: [
      'a',
      'abbr',
      'b',
      'blockquote',
      'br',
      'caption',
      'center',
      'code',
      'col',
      'colgroup',
      'dd',
      'del',
      'div',
      'dl',
      'dt',
      'em',
      'font',
      'h1',
      'h2',
      'h3',
      'h4',
      'h5',
      'h6',
      'hr',
      'i',
      'img',
      'ins',
      'li',
      'ol',
      'p',
      'pre',
      'q',
      's',
      'small',
      'span',
      'strike',
      'strong',
      'sub',
      'sup',
      'table',
      'tbody',
      'td',
      'tfoot',
      'th',
      'thead',
      'tr',
      'u',
      'ul',
    ],
    allowedAttributes: {
      '*': ['style', 'align', 'dir', 'title', 'lang'],
      a: ['href', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      font: ['color', 'size', 'face'],
      table: ['width', 'border', 'cellpadding', 'cellspacing', 'bgcolor'],
      td: TABLE_CELL,
      th: TABLE_CELL,
      col: ['span', 'width'],
      ol: ['start', 'type'],
    },
    allowedStyles: { '*': MAIL_STYLES },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    // Images: only the relative attachment URLs written below survive (no scheme allowed at all).
    allowedSchemesByTag: { img: [] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xml'],
    transformTags: {
      // Absolute web, mail and phone links only: a relative link would point into Huike itself.
      a: (tagName, { href = '', ...attribs }) => ({
        tagName,
        attribs: {
          ...attribs,
          ...(/^\s*(https?:\/\/|mailto:|tel:)/i.test(href) ? { href } : {}),
          target: '_blank',
          rel: 'noopener noreferrer nofollow',
        },
      }),
      img: (tagName, attribs) => {
        const { src = '', ...rest } = attribs;
        const cid = /^cid:/i.test(src) ? src.slice(4).replace(/^<|>$/g, '').toLowerCase() : undefined;
        const fileId = cid ? inline.get(cid) : undefined;
        return { tagName, attribs: fileId ? { ...rest, src: agentAttachmentUrl(fileId) } : rest };
      },
    },
  }).trim();
}

const BLOCK_END = /<\/(p|div|h[1-6]|li|blockquote|pre|tr|table|ul|ol|dt|dd)>|<br\s*\/?>|<hr\s*\/?>/gi;
const ENTITIES: Record<string, string> = { nbsp: ' ', lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'", apos: "'" };

/** The text of an html-only mail: block ends become line breaks, no URLs, entities decoded. */
function htmlToText(html: string): string {
  const text = sanitizeHtml(
    html.replace(BLOCK_END, (tag) => `${tag}\n`),
    {
      allowedTags: [],
      allowedAttributes: {},
      nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xml'],
    },
  );
  return text
    .replace(/&(nbsp|lt|gt|quot|amp|#39|apos);/g, (_, name: string) => ENTITIES[name]!)
    .replace(/&#(\d{1,6});/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Quoted history

/** Lines that start the quoted history of a reply; everything from there on is dropped from the content. */
const QUOTE_HEADERS: RegExp[] = [
  /^\s*在.{0,200}写道\s*[:：]\s*$/,
  /^\s*於.{0,200}寫道\s*[:：]\s*$/,
  /^\s*On\b.{0,300}\bwrote\s*:\s*$/i,
  /^\s*-{2,}\s*(原始邮件|原始郵件|Original Message|Original)\s*-{2,}\s*$/i,
  /^\s*-{2,}\s*(回复的原邮件|Reply message)\s*-{2,}\s*$/i,
  /^\s*_{10,}\s*$/,
];
/** 「发件人:」 blocks (Outlook, Foxmail, QQ, 163): a sender line followed closely by a date, recipient or subject line. */
const SENDER_LINE = /^\s*\*?(发件人|發件人|From)\s*\*?\s*[:：]/i;
const HEADER_LINE = /^\s*\*?(发送时间|發送時間|日期|时间|Sent|Date|收件人|To|主题|主旨|Subject)\s*\*?\s*[:：]/i;

/** The reply itself: the quoted history (「在 … 写道：」, On … wrote:, 原始邮件, 发件人: blocks, '>' lines) removed. */
export function stripQuotedHistory(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Gmail wraps a long 「On …, X <x@y> wrote:」 over two lines.
    const joined = `${line} ${lines[i + 1] ?? ''}`;
    const quoteHeader =
      QUOTE_HEADERS.some((pattern) => pattern.test(line)) ||
      (/^\s*(On\b|在)/i.test(line) && QUOTE_HEADERS.slice(0, 3).some((pattern) => pattern.test(joined))) ||
      (SENDER_LINE.test(line) && lines.slice(i + 1, i + 5).some((next) => HEADER_LINE.test(next)));
    if (quoteHeader) {
      end = i;
      break;
    }
  }
  const kept = lines
    .slice(0, end)
    .filter((line) => !/^\s*>/.test(line))
    .join('\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return kept || text.trim();
}

// ---------------------------------------------------------------------------------------------------------------
// Classification

const headerText = (mail: ParsedMail, name: string): string => {
  const value = mail.headers.get(name);
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') return value.value;
  return String(value);
};

const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : [])
    .flatMap((object) => object.value)
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .filter((entry) => entry.address && ADDRESS.test(entry.address));

const display = (field: AddressObject | AddressObject[] | undefined): string | null => {
  const list = addresses(field).map((entry) => (entry.name ? `${entry.name} <${entry.address}>` : entry.address!));
  return list.length > 0 ? list.join(', ') : null;
};

const idsIn = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((item) => item.match(MESSAGE_ID) ?? []);

const AUTO_SUBJECT = /^\s*(自动回复|自動回覆|auto(matic)?[ -]?reply|auto:|out of (the )?office|休假|不在办公室)/i;

/** Auto-replies (RFC 3834 and the usual vendor headers): answering them would start a mail loop. */
function autoReplyReason(mail: ParsedMail): string | undefined {
  const autoSubmitted = headerText(mail, 'auto-submitted').trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `auto-submitted: ${autoSubmitted.slice(0, 40)}`;
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond') || mail.headers.has('x-autogenerated'))
    return 'auto-reply header';
  const precedence = headerText(mail, 'precedence').trim().toLowerCase();
  if (['auto_reply', 'bulk', 'junk'].includes(precedence)) return `precedence: ${precedence}`;
  if (AUTO_SUBJECT.test(mail.subject ?? '')) return 'auto-reply subject';
  return undefined;
}

const DAEMON = /^(mailer-daemon|mail-daemon|mailerdaemon|postmaster|mail\.delivery\.subsystem)$/i;
const BOUNCE_SUBJECT =
  /(退信|退回|未能(成功)?(送达|投递|发送)|投递失败|发送失败|無法投遞|undeliver|delivery (status notification|failure|has failed)|returned mail|failure notice|mail delivery failed|delivery failed)/i;
const HEADER_PARTS = new Set([
  'message/rfc822',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/global',
  'message/global-headers',
]);

/** The header block of a message (up to the first empty line), folded lines joined. */
const headerBlock = (text: string) =>
  (text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)[0] ?? '').replace(/\n[ \t]+/g, ' ');

function originalMessageIdOf(mail: ParsedMail): string | undefined {
  for (const part of mail.attachments) {
    if (!HEADER_PARTS.has(part.contentType.toLowerCase())) continue;
    const match = headerBlock(part.content.toString('utf8')).match(/^message-id:\s*(<[^<>\s]+>)/im);
    if (match) return match[1];
  }
  // Providers that quote the original headers in the text (网易 ·「原邮件头」).
  const inText = (mail.text ?? '').match(/^\s*message-id\s*[:：]\s*(<[^<>\s]+>)/im);
  if (inText) return inText[1];
  return [...idsIn(mail.inReplyTo), ...idsIn(mail.references)][0];
}

const DSN_FIELDS = (mail: ParsedMail) =>
  mail.attachments
    .filter((part) => /^message\/(global-)?delivery-status$/i.test(part.contentType))
    .map((part) =>
      part.content
        .toString('utf8')
        .replace(/\r\n?/g, '\n')
        .replace(/\n[ \t]+/g, ' '),
    )
    .join('\n');

const clip = (text: string) => {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > MAX_REASON_CHARS ? `${clean.slice(0, MAX_REASON_CHARS - 1)}…` : clean;
};

/** Why the mail bounced, as the receiving side said it (Diagnostic-Code, 退信原因…), else a generic reason. */
function bounceReason(mail: ParsedMail, dsn: string): DeliveryFailure {
  // The receiving side's own words are kept as they are, in whatever language it wrote them.
  const said = (text: string): DeliveryFailure => {
    const detail = clip(text);
    return { error: detail, reason: { code: 'email.bounce_reply', params: { detail } } };
  };
  const diagnostic = dsn.match(/^diagnostic-code:\s*(?:[\w-]+;\s*)?(.+)$/im)?.[1];
  if (diagnostic) return said(diagnostic);
  const text = (mail.text ?? '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = lines[i]!.match(/^\s*(退信原因|失败原因|错误原因|退回原因|原因)\s*[:：]\s*(.*)$/);
    if (!match) continue;
    const rest =
      match[2]!.trim() ||
      lines
        .slice(i + 1)
        .find((line) => line.trim())
        ?.trim();
    if (rest) return said(rest);
  }
  const status = dsn.match(/^status:\s*([245]\.\d{1,3}\.\d{1,3})/im)?.[1];
  if (status)
    return { error: `邮件被退回（状态 ${status}）`, reason: { code: 'email.bounced_status', params: { status } } };
  const smtpLine = lines.find((line) => /\b5\d\d\b|\b5\.\d\.\d\b/.test(line));
  return smtpLine ? said(smtpLine) : { error: '邮件被退回', reason: { code: 'email.bounced', params: {} } };
}

/** A bounce of a message we sent: DSN (multipart/report; delivery-status) or a provider's 退信 from its daemon. */
function classifyBounce(mail: ParsedMail): ParsedMailOutcome | undefined {
  const contentType = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> };
  const isReport =
    contentType?.value?.toLowerCase() === 'multipart/report' &&
    (contentType.params?.['report-type'] ?? '').toLowerCase() === 'delivery-status';
  const sender = addresses(mail.from)[0]?.address ?? '';
  const fromDaemon = DAEMON.test(sender.split('@')[0] ?? '');
  if (!isReport && !(fromDaemon && BOUNCE_SUBJECT.test(mail.subject ?? ''))) return undefined;
  const dsn = DSN_FIELDS(mail);
  const actions = [...dsn.matchAll(/^action:\s*([\w-]+)/gim)].map((match) => match[1]!.toLowerCase());
  if (actions.length > 0 && !actions.includes('failed'))
    return { kind: 'ignored', reason: `delivery status: ${actions.join(',')}` };
  const originalMessageId = originalMessageIdOf(mail);
  if (!originalMessageId) return { kind: 'ignored', reason: 'bounce without the original Message-ID' };
  const failure = bounceReason(mail, dsn);
  return { kind: 'bounce', originalMessageId, reason: failure.error, failure };
}

// ---------------------------------------------------------------------------------------------------------------
// Attachments

type Kept = NonNullable<ChannelInbound['attachments']>[number];

async function storeAttachments(
  parts: Attachment[],
  { inbox, runtime }: MailContext,
): Promise<{ kept: Kept[]; inline: Map<string, string>; skipped: NonNullable<EmailMeta['skippedAttachments']> }> {
  const kept: Kept[] = [];
  const inline = new Map<string, string>();
  const skipped: NonNullable<EmailMeta['skippedAttachments']> = [];
  for (const part of parts) {
    const declared = part.filename ?? (part.cid ? 'inline' : undefined);
    const label = (declared ?? '附件').slice(0, 150);
    if (part.size > ATTACHMENT_MAX_BYTES || part.content.length > ATTACHMENT_MAX_BYTES) {
      skipped.push({ name: label, reason: 'too_large' });
      continue;
    }
    const sniffed = sniffAttachment(part.content);
    if (!sniffed) {
      skipped.push({ name: label, reason: 'type_refused' });
      continue;
    }
    if (kept.length >= MAX_MAIL_ATTACHMENTS) {
      skipped.push({ name: label, reason: 'too_many' });
      continue;
    }
    const name = attachmentName(declared, sniffed.ext);
    const stored = await runtime.files.save(runtime.db, {
      workspaceId: inbox.workspaceId,
      createdBy: null,
      name,
      contentType: sniffed.contentType,
      data: part.content,
      maxBytes: ATTACHMENT_MAX_BYTES,
      purpose: 'attachment',
    });
    kept.push({ fileId: stored.id, name, contentType: sniffed.contentType, size: stored.size });
    if (part.cid) inline.set(part.cid.replace(/^<|>$/g, '').toLowerCase(), stored.id);
  }
  return { kept, inline, skipped };
}

// ---------------------------------------------------------------------------------------------------------------

/** The mail's own Message-ID, or a stable one made from its bytes (the same mail twice is still stored once). */
const messageIdOf = (mail: ParsedMail, raw: Buffer) => {
  const own = mail.messageId?.match(MESSAGE_ID)?.[0];
  return own ?? `<${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@huike.generated>`;
};

const clipContent = (text: string) =>
  text.length > MAX_CONTENT_CHARS ? `${text.slice(0, MAX_CONTENT_CHARS - 1)}…` : text;

/**
 * Reads one raw mail for an email inbox. Stores its attachments (purpose 'attachment') unless the same Message-ID
 * is already stored in the inbox; stores nothing else: `ingestMail` does the rest.
 */
export async function parseMail(raw: Buffer, context: MailContext): Promise<ParsedMailOutcome> {
  const { inbox, runtime } = context;
  let mail: ParsedMail;
  try {
    mail = await mailparser().simpleParser(raw, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      keepCidLinks: true,
      keepDeliveryStatus: true,
    });
  } catch {
    return { kind: 'ignored', reason: 'unreadable mail', malformed: true };
  }
  const sender = addresses(mail.from)[0];
  if (!sender?.address) return { kind: 'ignored', reason: 'no sender address', malformed: true };
  const senderAddress = sender.address.toLowerCase();

  const bounce = classifyBounce(mail);
  if (bounce) return bounce;
  const autoReply = autoReplyReason(mail);
  if (autoReply) return { kind: 'ignored', reason: autoReply };
  const ownAddress = typeof inbox.config.address === 'string' ? inbox.config.address.toLowerCase() : undefined;
  if (ownAddress && senderAddress === ownAddress) return { kind: 'ignored', reason: "the inbox's own address" };

  const messageId = messageIdOf(mail, raw);
  const inReplyTo = idsIn(mail.inReplyTo);
  const references = idsIn(mail.references);
  // Newest first: the message replied to, then the thread from its latest message back.
  const threadIds = [...new Set([...inReplyTo, ...[...references].reverse()])].filter((id) => id !== messageId);
  const duplicate = await repo.hasInboundExternalId(runtime.db, inbox.workspaceId, inbox.id, messageId);
  const files = duplicate
    ? { kept: [], inline: new Map<string, string>(), skipped: [] }
    : await storeAttachments(mail.attachments, context);
  const threadId = await repo.findConversationByExternalIds(runtime.db, inbox.workspaceId, inbox.id, threadIds);

  // Html past a few MB is not worth sanitising for display (the text part and attachments are still kept).
  const rawHtml = typeof mail.html === 'string' && mail.html.length <= MAX_HTML_INPUT_CHARS ? mail.html : '';
  const html = rawHtml ? sanitizeMailHtml(rawHtml, files.inline) : null;
  const bodyText = mail.text?.trim() ? mail.text : html ? htmlToText(html) : '';
  const subject = (mail.subject ?? '').trim();
  const ownText = clipContent(stripQuotedHistory(bodyText));
  const content = ownText || (files.kept.length > 0 ? '' : subject || NO_BODY);
  const meta: EmailMeta = {
    subject,
    from: sender.name ? `${sender.name} <${senderAddress}>` : senderAddress,
    to: display(mail.to),
    cc: display(mail.cc),
    html: html && html.length <= MAX_HTML_CHARS ? html : null,
    messageId,
    inReplyTo: inReplyTo[0] ?? null,
    references,
    ...(files.skipped.length > 0 ? { skippedAttachments: files.skipped } : {}),
  };
  return {
    kind: 'message',
    inbound: {
      sender: {
        kind: 'source',
        externalId: senderAddress,
        name: sender.name?.trim() || undefined,
        email: senderAddress,
      },
      content,
      externalId: messageId,
      channelMeta: meta,
      attachments: files.kept,
      ...(threadId ? { threadId } : {}),
      ...(content === NO_BODY ? { isPlaceholder: true } : {}),
    },
  };
}

/** Marks the outbound message that bounced (found by its Message-ID in this inbox); false when none matches. */
export const recordBounce = (
  runtime: ChannelRuntime,
  inbox: ChannelInbox,
  originalMessageId: string,
  failure: DeliveryFailure,
) => runtime.updateDelivery(inbox, originalMessageId, { status: 'bounced', failure });

/**
 * Parses one raw mail and acts on it: a message is stored (idempotent on its Message-ID), a bounce marks the message
 * it bounces, the rest is ignored. IMAP and the forwarding endpoint both call this, and acknowledge only after it.
 */
export async function ingestMail(raw: Buffer, context: MailContext): Promise<MailOutcome> {
  const { inbox, runtime } = context;
  const parsed = await parseMail(raw, context);
  if (parsed.kind === 'message') {
    const stored = await runtime.receive(inbox, parsed.inbound);
    return { kind: 'message', ...stored };
  }
  if (parsed.kind === 'bounce') {
    const { failure, ...bounce } = parsed;
    const recorded = await recordBounce(runtime, inbox, parsed.originalMessageId, failure);
    runtime.log.info({ inboxId: inbox.id, recorded }, 'email bounce');
    return { ...bounce, recorded };
  }
  runtime.log.info({ inboxId: inbox.id, reason: parsed.reason }, 'email ignored');
  return parsed;
}
