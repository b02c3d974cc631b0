import { timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../../platform/errors.ts';
import { publishingTransaction } from '../../../../platform/events.ts';
import type { DeliveryFailure } from '../../../../platform/outbox.ts';
import { createAuditService } from '../../../audit/index.ts';
import { recordCustomerEvents } from '../../../customers/index.ts';
import { hmacHex, SIGNATURE_WINDOW_SECONDS } from '../../signatures.ts';
import type { ChannelInbox, ChannelRuntime } from '../types.ts';
import { isOptOutReply, normalizeMobile } from './phone.ts';
import { reportFailure, SMS_SIGNATURE_HEADER } from './provider.ts';
import * as repo from './sms.repository.ts';

/*
 * The provider's callbacks: a buyer's reply (上行短信) and delivery reports (状态报告), signed like our requests
 * (`X-Huike-Sms-Signature: hex HMAC-SHA256(accessKeySecret, raw body)`) with a `timestamp` in the body. Anything
 * wrong — unknown inbox, bad or missing signature, stale timestamp, malformed or oversized body — gets the same
 * answer and stores nothing, so a prober learns nothing about which inbox tokens exist.
 */

const inboundBody = z.object({
  /** The provider's id of the reply: the same id twice is stored once. */
  messageId: z.string().trim().min(1).max(128),
  phoneNumber: z.string().min(1).max(32),
  content: z.string().max(2000),
  timestamp: z.number().int(),
  nonce: z.string().max(64).optional(),
});

const reportsBody = z.object({
  timestamp: z.number().int(),
  nonce: z.string().max(64).optional(),
  reports: z
    .array(
      z.object({
        /** The outId Huike sent: a message id, or a campaign recipient id. */
        outId: z.string().min(1).max(64),
        status: z.enum(['delivered', 'failed']),
        errorCode: z.string().max(100).optional(),
        errorMessage: z.string().max(200).optional(),
      }),
    )
    .min(1)
    .max(100),
});

class Refused extends Error {}

const REFUSAL = { error: { code: 'channel.request_invalid', message: '回调请求无效：签名、时间戳或内容不正确' } };

/** Client mistakes of every kind answer the one refusal; server faults stay 500 so the provider retries. */
function refuseUniformly(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const isClientError =
    error instanceof Refused ||
    error instanceof AppError ||
    (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500);
  if (!isClientError) throw error;
  request.log.info({ route: request.routeOptions.url }, 'sms callback refused');
  return reply.status(400).send(REFUSAL);
}

const equalHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

async function verifiedInbox(runtime: ChannelRuntime, request: FastifyRequest<{ Params: { inboxToken: string } }>) {
  const token = request.params.inboxToken;
  const signature = request.headers[SMS_SIGNATURE_HEADER];
  const raw = request.rawBody;
  if (typeof token !== 'string' || token.length > 64 || typeof signature !== 'string' || raw === undefined) {
    throw new Refused();
  }
  const inbox = await runtime.inboxByToken(token);
  const secret = inbox?.channelType === 'sms' ? inbox.config.accessKeySecret : undefined;
  if (!inbox || typeof secret !== 'string' || !equalHex(hmacHex(secret, raw), signature.trim().toLowerCase())) {
    throw new Refused();
  }
  return inbox;
}

function parseFresh<T extends { timestamp: number }>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Refused();
  if (Math.abs(Date.now() / 1000 - parsed.data.timestamp) > SIGNATURE_WINDOW_SECONDS) throw new Refused();
  return parsed.data;
}

/**
 * 退订 / TD: the customer (and anyone else on file with this phone) gets no more marketing SMS; timeline + audit,
 * and `customer.updated` (fields: marketingOptOutAt) for each, so webhooks tell the shop's systems.
 */
async function optOut(runtime: ChannelRuntime, inbox: ChannelInbox, customerId: string, phone: string) {
  const audit = createAuditService({ db: runtime.db });
  await publishingTransaction(runtime.db, runtime.events, async (tx, emit) => {
    const changed = await repo.optOutByPhone(tx, inbox.workspaceId, customerId, phone);
    if (changed.length === 0) return changed;
    const details = { channel: 'sms', inboxId: inbox.id, inboxName: inbox.name };
    await recordCustomerEvents(
      tx,
      changed.map((id) => ({
        workspaceId: inbox.workspaceId,
        customerId: id,
        kind: 'marketing_opted_out',
        actorId: null,
        details,
      })),
    );
    for (const id of changed) {
      await audit.record(tx, {
        workspaceId: inbox.workspaceId,
        actorId: null,
        action: 'customers.marketing_opted_out',
        targetType: 'customer',
        targetId: id,
        details,
      });
    }
    for (const id of changed) {
      await emit({
        type: 'customer.updated',
        workspaceId: inbox.workspaceId,
        performedBy: null,
        customerId: id,
        fields: ['marketingOptOutAt'],
      });
    }
  });
}

export function smsCallbackRoutes(
  app: FastifyInstance,
  runtime: ChannelRuntime,
  onCampaignReport: (
    inbox: ChannelInbox,
    outId: string,
    report: { status: 'delivered' | 'failed'; failure: DeliveryFailure | null },
  ) => Promise<boolean>,
) {
  const options = { schema: { hide: true }, errorHandler: refuseUniformly, bodyLimit: 32 * 1024 };

  app.post<{ Params: { inboxToken: string } }>(
    '/public/v1/channels/sms/:inboxToken/inbound',
    options,
    async (request) => {
      const inbox = await verifiedInbox(runtime, request);
      const body = parseFresh(inboundBody, request.body);
      const phone = normalizeMobile(body.phoneNumber);
      if (!phone) throw new Refused();
      await runtime.db.transaction((tx) => repo.linkPhoneToCustomer(tx, inbox.workspaceId, inbox.id, phone));
      const isOptOut = isOptOutReply(body.content);
      const stored = await runtime.receive(inbox, {
        sender: { kind: 'source', externalId: phone, phone, verified: true },
        content: body.content.trim() || '（空短信）',
        externalId: `sms:${body.messageId}`,
        channelMeta: { msgType: 'sms', ...(isOptOut ? { optOut: true } : {}) },
      });
      // Also on a redelivered reply: the first attempt may have stopped between storing and unsubscribing.
      if (isOptOut) {
        const customerId = await repo.customerOfMessage(runtime.db, inbox.workspaceId, stored.messageId);
        if (customerId) await optOut(runtime, inbox, customerId, phone);
      }
      return { ok: true, messageId: stored.messageId, duplicate: stored.isDuplicate };
    },
  );

  app.post<{ Params: { inboxToken: string } }>(
    '/public/v1/channels/sms/:inboxToken/reports',
    options,
    async (request) => {
      const inbox = await verifiedInbox(runtime, request);
      const body = parseFresh(reportsBody, request.body);
      let matched = 0;
      for (const report of body.reports) {
        const failure = report.status === 'failed' ? reportFailure(report.errorCode, report.errorMessage) : null;
        if (
          (await runtime.updateDelivery(inbox, report.outId, { status: report.status, failure })) ||
          (await onCampaignReport(inbox, report.outId, { status: report.status, failure }))
        ) {
          matched++;
        }
      }
      return { ok: true, matched };
    },
  );
}
