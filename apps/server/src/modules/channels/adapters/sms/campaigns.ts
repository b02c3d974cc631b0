import {
  idParams,
  type Job,
  job as jobSchema,
  listQuery,
  maskPhone,
  type SmsCampaignBody,
  type SmsCampaignPreview,
  type SmsCampaignPreviewBody,
  type SmsCampaignRecipient,
  type SmsCampaignRecipientsQuery,
  type SmsCampaignStatus,
  type SmsCampaignSummary,
  type SmsChannelConfig,
  type SmsRecipientFilter,
  smsCampaignBody,
  smsCampaignFailureReasons,
  smsCampaignPage,
  smsCampaignPreview,
  smsCampaignPreviewBody,
  smsCampaignRecipientPage,
  smsCampaignRecipientsQuery,
  smsSecretKeys,
} from '@huike/contracts';
import type { SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../../../config.ts';
import type { Db } from '../../../../db/database.ts';
import { type Actor, assertCan, can } from '../../../../platform/access.ts';
import { requireActor } from '../../../../platform/auth/request-auth.ts';
import type { FieldCipher } from '../../../../platform/crypto.ts';
import { decodeIdCursor, type Executor, encodeCursor, iso } from '../../../../platform/db-helpers.ts';
import { AppError } from '../../../../platform/errors.ts';
import { newId } from '../../../../platform/ids.ts';
import type { Jobs } from '../../../../platform/jobs.ts';
import { DeliveryError, type Outbox } from '../../../../platform/outbox.ts';
import type { AuditService } from '../../../audit/index.ts';
import { searchCustomerMatches } from '../../../customers/index.ts';
import { decryptSecrets } from '../../channel-config.ts';
import { findInbox } from '../../channels.repository.ts';
import { sendSms } from './provider.ts';
import * as repo from './sms.repository.ts';

/*
 * SMS campaigns (营销短信): the marketing template to a segment. Confirming fixes the audience (one row per
 * customer: the preview's exact count, unsubscribed and phoneless customers recorded as skipped) and queues a job;
 * the job moves recipients from pending to the outbox in batches, so a job run twice or resumed after a crash
 * sends nobody twice; the outbox sends with retries and records each outcome on the recipient.
 */

export const SMS_CAMPAIGN_JOB = 'sms.campaign';
export const SMS_CAMPAIGN_SEND = 'sms.campaign_send';
const BATCH = 200;

const jobPayload = z.object({ campaignId: z.uuid() });
const jobCheckpoint = z.object({ queued: z.number().int() });

/** `{name}` in a parameter value becomes the customer's name (亲 when unknown: 亲 is how shops address buyers). */
const personalise = (params: Record<string, string>, name: string | null) =>
  Object.fromEntries(
    Object.entries(params).map(([key, value]) => [key, value.replaceAll('{name}', name?.trim().slice(0, 20) || '亲')]),
  );

export type SmsCampaigns = ReturnType<typeof createSmsCampaigns>;

/** The job's state, and then whether sends are still waiting on the outbox. */
function campaignStatus(row: repo.CampaignListRow): SmsCampaignStatus {
  if (row.job_status === 'queued') return 'queued';
  if (row.job_status === 'failed') return 'failed';
  return row.job_status === 'running' || row.waiting > 0 ? 'sending' : 'completed';
}

const presentCampaign = (row: repo.CampaignListRow): SmsCampaignSummary => ({
  id: row.id,
  inboxId: row.inbox_id,
  segmentId: row.segment_id,
  segmentName: row.segment_name,
  templateCode: row.template_code,
  createdAt: iso(row.created_at)!,
  createdBy: row.created_by && row.created_by_name ? { id: row.created_by, name: row.created_by_name } : null,
  status: campaignStatus(row),
  counts: {
    targeted: row.targeted,
    sent: row.sent,
    delivered: row.delivered,
    failed: row.failed,
    optedOut: row.opted_out,
    noPhone: row.no_phone,
  },
});

const RECIPIENT_FILTERS: Record<SmsRecipientFilter, readonly repo.RecipientRow['status'][]> = {
  waiting: ['pending', 'queued'],
  sent: ['sent'],
  delivered: ['delivered'],
  failed: ['failed'],
  skipped: ['opted_out', 'no_phone'],
  opted_out: ['opted_out'],
  no_phone: ['no_phone'],
};

const presentRecipient = (row: repo.RecipientRow, revealPhone: boolean): SmsCampaignRecipient => ({
  id: row.id,
  customer: { id: row.customer_id, name: row.customer_name, nickname: row.customer_nickname },
  phone: row.phone && !revealPhone ? maskPhone(row.phone) : row.phone,
  status: row.status,
  reason: row.reason,
  error: row.error,
  sentAt: iso(row.sent_at),
  updatedAt: iso(row.updated_at)!,
});

/** `sms.not_delivered:MK:0001` → the reason code and the provider's code (reason codes hold no colon). */
function splitFailureKey(key: string) {
  if (key === 'unknown') return { code: null, providerCode: null };
  const colon = key.indexOf(':');
  return colon < 0
    ? { code: key, providerCode: null }
    : { code: key.slice(0, colon), providerCode: key.slice(colon + 1) };
}

export function createSmsCampaigns({
  db,
  jobs,
  outbox,
  audit,
  cipher,
  config,
  segmentTarget,
}: {
  db: Db;
  jobs: Jobs;
  outbox: Outbox;
  audit: AuditService;
  cipher: FieldCipher;
  config: Config;
  /** The segments module: a segment's name and its customers as a WHERE over `customers` (404 for another's). */
  segmentTarget: (executor: Executor, actor: Actor, segmentId: string) => Promise<{ name: string; where: SQL }>;
}) {
  const sendOptions = { allowPrivateAddresses: config.allowPrivateWebhooks ?? false };

  async function marketingInbox(executor: Executor, actor: Actor, inboxId: string) {
    const row = await findInbox(executor, actor.workspaceId, inboxId);
    if (!row) throw new AppError('inbox.not_found', '渠道不存在');
    if (row.channelType !== 'sms') {
      throw new AppError('request.invalid', '请选择一个短信渠道', [{ path: '/inboxId', message: '不是短信渠道' }]);
    }
    const templateCode = (row.channelConfig as Partial<SmsChannelConfig>).templates?.marketing;
    if (!templateCode) {
      throw new AppError('request.invalid', '这个短信渠道还没有设置营销短信模板', [
        { path: '/inboxId', message: '缺少营销短信模板' },
      ]);
    }
    return { row, templateCode };
  }

  async function campaignOf(actor: Actor, campaignId: string) {
    const campaign = await repo.findCampaign(db, actor.workspaceId, campaignId);
    if (!campaign) throw new AppError('sms_campaign.not_found', '短信群发不存在');
    return campaign;
  }

  jobs.define({
    kind: SMS_CAMPAIGN_JOB,
    payload: jobPayload,
    async run({ job, payload, checkpoint, progress }) {
      const { workspaceId } = job;
      const campaign = await repo.findCampaign(db, workspaceId, payload.campaignId);
      if (!campaign) throw new AppError('request.invalid', '短信群发已不存在');
      const saved = jobCheckpoint.safeParse(checkpoint);
      let queued = saved.success ? saved.data.queued : 0;
      for (;;) {
        const taken = await db.transaction(async (tx) => {
          const ids = await repo.takePending(tx, workspaceId, campaign.id, BATCH);
          await outbox.enqueue(
            tx,
            ids.map((id) => ({ workspaceId, kind: SMS_CAMPAIGN_SEND, subjectId: id })),
          );
          return ids.length;
        });
        if (taken === 0) break;
        queued += taken;
        outbox.wake();
        await progress(Math.min(queued, campaign.recipients), campaign.recipients, { queued });
      }
      return {
        campaignId: campaign.id,
        recipients: campaign.recipients,
        optedOut: campaign.optedOut,
        withoutPhone: campaign.withoutPhone,
        queued,
      };
    },
  });

  outbox.define(SMS_CAMPAIGN_SEND, {
    async send(row) {
      const recipient = await repo.recipientForSend(db, row.workspaceId, row.subjectId);
      if (!recipient)
        throw new DeliveryError({ code: 'sms.campaign_recipient_gone' }, '群发对象已不存在', { permanent: true });
      // Sent before (a replayed delivery): nothing to do. Failed ones may be replayed by an admin.
      if (recipient.status !== 'queued' && recipient.status !== 'failed') return undefined;
      if (recipient.opted_out || !recipient.phone) {
        await repo.setRecipient(db, row.workspaceId, recipient.id, { status: 'opted_out' });
        return undefined;
      }
      const inboxRow = await findInbox(db, row.workspaceId, recipient.inbox_id);
      if (!inboxRow) throw new DeliveryError({ code: 'sms.inbox_deleted' }, '短信渠道已删除', { permanent: true });
      const inboxConfig = decryptSecrets(inboxRow.channelConfig, smsSecretKeys, cipher) as SmsChannelConfig;
      await sendSms(
        inboxConfig,
        {
          phone: recipient.phone,
          templateCode: recipient.template_code,
          templateParam: personalise(recipient.template_params, recipient.name),
          outId: recipient.id,
        },
        sendOptions,
      );
      await repo.setRecipient(db, row.workspaceId, recipient.id, {
        status: 'sent',
        error: null,
        reason: null,
        sentAt: new Date(),
      });
      return undefined;
    },
    async onDead(row, failure) {
      await repo.setRecipient(db, row.workspaceId, row.subjectId, {
        status: 'failed',
        error: failure.error,
        reason: failure.reason,
      });
    },
  });

  return {
    /** How many customers of the segment a campaign would reach now, and how many it would skip (and why). */
    async preview(actor: Actor, body: SmsCampaignPreviewBody): Promise<SmsCampaignPreview> {
      assertCan(actor, 'campaigns:send');
      await marketingInbox(db, actor, body.inboxId);
      const { where } = await segmentTarget(db, actor, body.segmentId);
      return repo.countAudience(db, where);
    },

    /** Past campaigns, newest first, with their recipients counted by outcome (短信群发记录). */
    async list(actor: Actor, query: { limit: number; cursor?: string }) {
      assertCan(actor, 'campaigns:send');
      const before = decodeIdCursor(query.cursor);
      const rows = await repo.listCampaigns(db, actor.workspaceId, before, query.limit + 1);
      const items = rows.slice(0, query.limit).map(presentCampaign);
      return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null };
    },

    /** A campaign's recipients and what became of each SMS (who failed and why), phones masked as in customers. */
    async recipients(actor: Actor, campaignId: string, query: SmsCampaignRecipientsQuery) {
      assertCan(actor, 'campaigns:send');
      await campaignOf(actor, campaignId);
      const rows = await repo.listRecipients(db, actor.workspaceId, campaignId, {
        statuses: query.status && RECIPIENT_FILTERS[query.status],
        failureKey: query.reason,
        customerMatch: query.q ? searchCustomerMatches(actor, query.q) : undefined,
        after: decodeIdCursor(query.cursor),
        limit: query.limit + 1,
      });
      const revealPhone = can(actor, 'customers:reveal_pii');
      const items = rows.slice(0, query.limit).map((row) => presentRecipient(row, revealPhone));
      return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null };
    },

    /** A campaign's failures counted by reason, most first (空号 21 · 余额不足 9 …). */
    async failureReasons(actor: Actor, campaignId: string) {
      assertCan(actor, 'campaigns:send');
      await campaignOf(actor, campaignId);
      const rows = await repo.countFailureReasons(db, actor.workspaceId, campaignId);
      return { items: rows.map((row) => ({ key: row.key, ...splitFailureKey(row.key), count: row.count })) };
    },

    /** Fixes the audience and queues the sending job; answers the job (its result names the campaign). */
    async create(actor: Actor, body: SmsCampaignBody): Promise<Job> {
      assertCan(actor, 'campaigns:send');
      return db.transaction(async (tx) => {
        const { row, templateCode } = await marketingInbox(tx, actor, body.inboxId);
        const segment = await segmentTarget(tx, actor, body.segmentId);
        const campaignId = newId();
        await repo.insertCampaign(tx, {
          id: campaignId,
          workspaceId: actor.workspaceId,
          inboxId: row.id,
          segmentId: body.segmentId,
          segmentName: segment.name,
          templateCode,
          templateParams: body.templateParams,
          createdBy: actor.userId,
        });
        const counts = await repo.snapshotRecipients(tx, actor.workspaceId, campaignId, segment.where);
        if (counts.recipients === 0) {
          throw new AppError('request.invalid', '这个分组里没有可以接收短信的客户（没有手机号或已退订）', counts);
        }
        const job = await jobs.enqueue(tx, {
          workspaceId: actor.workspaceId,
          kind: SMS_CAMPAIGN_JOB,
          payload: { campaignId },
          createdBy: actor.userId,
        });
        await repo.setCampaignCounts(tx, actor.workspaceId, campaignId, { jobId: job.id, ...counts });
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'sms_campaigns.created',
          targetType: 'sms_campaign',
          targetId: campaignId,
          details: {
            inboxId: row.id,
            segmentId: body.segmentId,
            segmentName: segment.name,
            templateCode,
            paramNames: Object.keys(body.templateParams),
            ...counts,
          },
        });
        return job;
      });
    },
  };
}

export function smsCampaignRoutes(app: FastifyInstance, campaigns: SmsCampaigns) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['campaigns'];

  r.post(
    '/api/v1/sms/campaigns/preview',
    { schema: { tags, body: smsCampaignPreviewBody, response: { 200: smsCampaignPreview } } },
    (request) => campaigns.preview(requireActor(request), request.body),
  );

  r.get(
    '/api/v1/sms/campaigns',
    { schema: { tags, querystring: listQuery, response: { 200: smsCampaignPage } } },
    (request) => campaigns.list(requireActor(request), request.query),
  );

  r.get(
    '/api/v1/sms/campaigns/:id/recipients',
    {
      schema: {
        tags,
        params: idParams,
        querystring: smsCampaignRecipientsQuery,
        response: { 200: smsCampaignRecipientPage },
      },
    },
    (request) => campaigns.recipients(requireActor(request), request.params.id, request.query),
  );

  r.get(
    '/api/v1/sms/campaigns/:id/failure-reasons',
    { schema: { tags, params: idParams, response: { 200: smsCampaignFailureReasons } } },
    (request) => campaigns.failureReasons(requireActor(request), request.params.id),
  );

  r.post(
    '/api/v1/sms/campaigns',
    { schema: { tags, body: smsCampaignBody, response: { 202: jobSchema } } },
    async (request, reply) => reply.status(202).send(await campaigns.create(requireActor(request), request.body)),
  );
}
