import { createHmac, timingSafeEqual } from 'node:crypto';
import { ATTACHMENT_MAX_BYTES, type MessageAttachment, type UploadedAttachment } from '@huike/contracts';
import { and, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/database.ts';
import { inboxes } from '../../db/schema.ts';
import { type Actor, assertCan, can } from '../../platform/access.ts';
import type { Executor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import type { Files } from '../../platform/files.ts';

/** What a message stores of each file it carries (the URL is made when the message is shown). */
export type AttachmentRef = { fileId: string; name: string; contentType: string; size: number };
/** Signs visitors' download links: the inbox's public token and its secret. */
export type AttachmentSigner = { inboxToken: string; secret: string };

/** How long a link handed to a visitor works; a reload of the history hands out fresh ones. */
export const PUBLIC_LINK_SECONDS = 24 * 3600;

type Sniffed = { contentType: string; ext: string };

const startsWith = (data: Buffer, bytes: number[], offset = 0) =>
  data.length >= offset + bytes.length && bytes.every((byte, i) => data[offset + i] === byte);
const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** Office files are zip archives; the part names (stored uncompressed in the archive) say which kind. */
function sniffOffice(data: Buffer): Sniffed | undefined {
  if (!startsWith(data, [0x50, 0x4b, 0x03, 0x04])) return undefined;
  if (data.includes('[Content_Types].xml', 0, 'latin1')) {
    if (data.includes('xl/workbook', 0, 'latin1'))
      return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' };
    if (data.includes('word/document', 0, 'latin1'))
      return {
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        ext: 'docx',
      };
  }
  return undefined;
}

const MARKUP = /^\s*<(\?xml|!doctype|html|svg|script|body|head|iframe|object|!--)/i;

/** Plain UTF-8 text without control characters (other than tab, newlines, form feed) and not markup. */
function sniffText(data: Buffer): Sniffed | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) || MARKUP.test(text.replace(/^\uFEFF/, ''))) {
    return undefined;
  }
  return { contentType: 'text/plain', ext: 'txt' };
}

/**
 * What a file really is, from its first bytes, never from its name or declared type: images (png, jpeg, gif,
 * webp), pdf, xlsx, docx, plain text. Anything else (SVG, HTML, executables…) answers undefined.
 */
export function sniffAttachment(data: Buffer): Sniffed | undefined {
  if (data.length === 0) return undefined;
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { contentType: 'image/png', ext: 'png' };
  if (startsWith(data, [0xff, 0xd8, 0xff])) return { contentType: 'image/jpeg', ext: 'jpg' };
  if (startsWith(data, ascii('GIF87a')) || startsWith(data, ascii('GIF89a')))
    return { contentType: 'image/gif', ext: 'gif' };
  if (startsWith(data, ascii('RIFF')) && startsWith(data, ascii('WEBP'), 8))
    return { contentType: 'image/webp', ext: 'webp' };
  if (startsWith(data, ascii('%PDF-'))) return { contentType: 'application/pdf', ext: 'pdf' };
  return sniffOffice(data) ?? sniffText(data);
}

/** The uploaded name, cleaned, with the extension of what the file really is (a PNG named .pdf becomes .png). */
export function attachmentName(declared: string | undefined, ext: string): string {
  const base = (declared ?? '')
    .replace(/^.*[\\/]/, '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed from names
    .replace(/[\u0000-\u001f\u007f"<>]/g, '')
    .trim()
    .replace(/\.[^.]{1,8}$/, '')
    .slice(0, 150);
  return `${base || '附件'}.${ext}`;
}

export const isImage = (contentType: string) => contentType.startsWith('image/');

export const agentAttachmentUrl = (fileId: string) => `/api/v1/attachments/${fileId}`;

const signature = (secret: string, inboxToken: string, fileId: string, exp: number) =>
  createHmac('sha256', secret).update(`attachment.${inboxToken}.${fileId}.${exp}`, 'utf8').digest('hex');

/** A link only this inbox's visitors get: HMAC of (inbox, file, expiry) with the inbox secret. */
export function publicAttachmentUrl(signer: AttachmentSigner, fileId: string, now = Date.now()): string {
  // Rounded up to the hour: the same file gets the same link for an hour (browser caches keep working).
  const exp = Math.ceil((now / 1000 + PUBLIC_LINK_SECONDS) / 3600) * 3600;
  const sig = signature(signer.secret, signer.inboxToken, fileId, exp);
  return `/public/v1/inboxes/${encodeURIComponent(signer.inboxToken)}/attachments/${fileId}?exp=${exp}&sig=${sig}`;
}

export function isValidAttachmentSignature(
  signer: AttachmentSigner,
  fileId: string,
  exp: number,
  sig: string,
  now = Date.now(),
): boolean {
  if (!Number.isInteger(exp) || exp * 1000 < now) return false;
  const expected = signature(signer.secret, signer.inboxToken, fileId, exp);
  return sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
}

export const toMessageAttachments = (refs: AttachmentRef[]): MessageAttachment[] =>
  refs.map((ref) => ({ ...ref, url: agentAttachmentUrl(ref.fileId) }));

export const toPublicAttachments = (attachments: MessageAttachment[], signer: AttachmentSigner | undefined) =>
  signer
    ? attachments.map((attachment) => ({ ...attachment, url: publicAttachmentUrl(signer, attachment.fileId) }))
    : [];

/**
 * The attachment files a message will carry, in the order given (duplicates once). Any id that is not an
 * attachment of this workspace answers 404, so nothing is sent with a file the sender may not use.
 */
export async function resolveAttachments(
  executor: Executor,
  files: Files,
  workspaceId: string,
  ids: readonly string[],
): Promise<AttachmentRef[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const found = new Map(
    (await files.findAttachments(executor, workspaceId, unique)).map((row) => [row.fileId, row] as const),
  );
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) throw new AppError('attachment.not_found', '附件不存在，请重新上传', { fileIds: missing });
  return unique.map((id) => found.get(id)!);
}

const signers = new Map<string, { signer: AttachmentSigner | undefined; at: number }>();

/** The signer of an inbox (cached a minute: looked up for each pushed message that carries files). */
export async function inboxSigner(
  executor: Executor,
  workspaceId: string,
  inboxId: string,
): Promise<AttachmentSigner | undefined> {
  const cached = signers.get(inboxId);
  if (cached && Date.now() - cached.at < 60_000) return cached.signer;
  const [row] = await executor
    .select({ inboxToken: inboxes.token, secret: inboxes.secret })
    .from(inboxes)
    .where(and(eq(inboxes.workspaceId, workspaceId), eq(inboxes.id, inboxId)));
  if (signers.size > 1000) signers.clear();
  signers.set(inboxId, { signer: row, at: Date.now() });
  return row;
}

/** Served bytes: images inline, everything else as a download; never sniffed, never scripted. */
export function downloadHeaders(file: { name: string; contentType: string; size: number }) {
  const inline = isImage(file.contentType);
  const asciiName = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return {
    'content-type': file.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : file.contentType,
    'content-length': String(file.size),
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    'cross-origin-resource-policy': 'cross-origin',
    'cache-control': 'private, max-age=3600',
  };
}

export type AttachmentsService = ReturnType<typeof createAttachmentsService>;

export function createAttachmentsService({ db, files }: { db: Db; files: Files }) {
  return {
    /** Stores an uploaded file as a kept attachment, typed by its bytes. */
    async upload(actor: Actor, input: { filename: string | undefined; data: Buffer }): Promise<UploadedAttachment> {
      if (!can(actor, 'templates:use')) assertCan(actor, 'conversations:reply');
      if (input.data.length > ATTACHMENT_MAX_BYTES) throw tooLarge();
      const sniffed = sniffAttachment(input.data);
      if (!sniffed) {
        throw new AppError(
          'attachment.type_refused',
          '不支持的文件类型：只能上传图片（PNG、JPEG、GIF、WebP）和文档（PDF、Excel、Word、TXT）',
        );
      }
      const name = attachmentName(input.filename, sniffed.ext);
      const stored = await files.save(db, {
        workspaceId: actor.workspaceId,
        createdBy: actor.userId,
        name,
        contentType: sniffed.contentType,
        data: input.data,
        maxBytes: ATTACHMENT_MAX_BYTES,
        purpose: 'attachment',
      });
      return { fileId: stored.id, name, contentType: sniffed.contentType, size: stored.size };
    },

    /** For agents of the workspace (`conversations:read`). */
    async download(actor: Actor, fileId: string) {
      assertCan(actor, 'conversations:read');
      try {
        return await files.openAttachment(actor.workspaceId, fileId);
      } catch (error) {
        if (error instanceof AppError && error.code === 'file.not_found')
          throw new AppError('attachment.not_found', '附件不存在');
        throw error;
      }
    },

    /** For a visitor holding a link signed for this inbox and not yet expired. */
    async publicDownload(inboxToken: string, fileId: string, query: { exp?: number; sig?: string }) {
      const [inbox] = await db
        .select({ workspaceId: inboxes.workspaceId, inboxToken: inboxes.token, secret: inboxes.secret })
        .from(inboxes)
        .where(eq(inboxes.token, inboxToken));
      // One answer for every failure: a stranger learns nothing about which inboxes or files exist.
      const refused = () => new AppError('attachment.not_found', '附件不存在或链接已过期');
      if (!inbox || !query.exp || !query.sig || !isValidAttachmentSignature(inbox, fileId, query.exp, query.sig))
        throw refused();
      try {
        return await files.openAttachment(inbox.workspaceId, fileId);
      } catch {
        throw refused();
      }
    },
  };
}

export const tooLarge = () =>
  new AppError('request.too_large', `文件超过 ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MB 上限`);

/**
 * The one file of a multipart upload (field `file`), read whole. Refused from the header alone when the body is
 * plainly too big, before it is read (multipart framing adds a little).
 */
export async function readUploadedFile(request: FastifyRequest): Promise<{ filename: string; data: Buffer }> {
  if (Number(request.headers['content-length'] ?? 0) > ATTACHMENT_MAX_BYTES + 64 * 1024) throw tooLarge();
  if (!request.isMultipart()) {
    throw new AppError('request.unsupported_media_type', '请以 multipart/form-data 上传文件（字段 file）');
  }
  const part = await request.file();
  if (!part) throw new AppError('request.invalid', '请求中没有文件');
  try {
    return { filename: part.filename, data: await part.toBuffer() };
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw error;
  }
}
