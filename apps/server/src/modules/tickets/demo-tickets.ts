import type { TicketSeverity, TicketStatus } from '@huike/contracts';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/database.ts';
import { conversations, users } from '../../db/schema.ts';
import type { Actor } from '../../platform/access.ts';
import type { TicketsService } from './tickets.service.ts';

type DemoTicket = {
  subject: string;
  description: string;
  category: string;
  severity: TicketSeverity;
  /** Where the ticket ends up, reached through the state machine. */
  path: TicketStatus[];
  /** Hours ago it was opened (its SLA clocks shift with it). */
  hoursAgo: number;
  /** Hours after opening it was resolved (paths through `resolved`; within its SLA policy's targets). */
  resolvedAfter?: number;
  comment?: string;
};

const TICKETS: DemoTicket[] = [
  {
    subject: '绿茶礼盒还有没有现货',
    description: '顾客想买 3 盒送人，问周末前能否送到。',
    category: 'inquiry',
    severity: 'normal',
    path: [],
    hoursAgo: 0.2,
  },
  {
    subject: '询问能否开具增值税专用发票',
    description: '公司采购，需要专票。',
    category: 'inquiry',
    severity: 'normal',
    path: ['open'],
    hoursAgo: 0.5,
    comment: '已让财务确认开票信息。',
  },
  {
    subject: '快递三天没有物流更新',
    description: '单号查不到信息，顾客很着急。',
    category: 'logistics',
    severity: 'serious',
    path: ['open', 'waiting_third_party'],
    hoursAgo: 26,
    comment: '已联系顺丰客服核实，等待回复。',
  },
  {
    subject: '包裹显示已签收但顾客没收到',
    description: '快递柜没有取件码。',
    category: 'logistics',
    severity: 'urgent',
    path: ['open'],
    hoursAgo: 5,
  },
  {
    subject: '茶叶罐运输中破损，申请换货',
    description: '顾客已拍照，外包装凹陷，罐体破裂。',
    category: 'return',
    severity: 'serious',
    path: ['open', 'waiting_customer'],
    hoursAgo: 30,
    comment: '请顾客补充开箱视频。',
  },
  {
    subject: '尺寸不合适，申请七天无理由退货',
    description: '未拆封，已在订单页申请。',
    category: 'return',
    severity: 'normal',
    path: ['open', 'resolved'],
    hoursAgo: 48,
    resolvedAfter: 6,
    comment: '退货地址已发给顾客，退款已原路返回。',
  },
  {
    subject: '投诉客服回复太慢',
    description: '顾客说等了 40 分钟没人回复。',
    category: 'complaint',
    severity: 'serious',
    path: ['open'],
    hoursAgo: 6,
    comment: '主管已致电顾客道歉。',
  },
  {
    subject: '投诉收到临期商品',
    description: '生产日期距今 17 个月，保质期 18 个月。',
    category: 'complaint',
    severity: 'urgent',
    path: [],
    hoursAgo: 1,
  },
  {
    subject: '优惠券无法叠加使用',
    description: '满减券和店铺券不能同时用。',
    category: 'inquiry',
    severity: 'normal',
    path: ['open', 'resolved', 'closed'],
    hoursAgo: 72,
    resolvedAfter: 0.25,
  },
  {
    subject: '茶叶保质期咨询',
    description: '问开封后能放多久。',
    category: 'inquiry',
    severity: 'normal',
    path: ['open', 'resolved'],
    hoursAgo: 20,
    resolvedAfter: 0.5,
  },
  {
    subject: '地址填错，申请修改收货地址',
    description: '订单未发货，需要改到公司地址。',
    category: 'logistics',
    severity: 'normal',
    path: ['open', 'resolved'],
    hoursAgo: 3,
    resolvedAfter: 0.75,
  },
  {
    subject: '发错货：买的龙井收到碧螺春',
    description: '需要补发并召回错发商品。',
    category: 'return',
    severity: 'serious',
    path: ['open'],
    hoursAgo: 22,
  },
  {
    subject: '电话来电：询问企业团购价格',
    description: '来电客户，采购 200 份中秋礼盒。',
    category: 'inquiry',
    severity: 'normal',
    path: ['open', 'waiting_customer'],
    hoursAgo: 8,
    comment: '已发报价单，等待客户确认数量。',
  },
  {
    subject: '顾客要求赔偿运费',
    description: '退货运费险未生效。',
    category: 'complaint',
    severity: 'normal',
    path: ['open', 'waiting_third_party'],
    hoursAgo: 12,
  },
  {
    subject: '会员积分没有到账',
    description: '上周订单完成后积分未增加。',
    category: 'other',
    severity: 'normal',
    path: ['open'],
    hoursAgo: 4,
  },
  {
    subject: '礼盒贺卡内容写错',
    description: '需要重新打印贺卡。',
    category: 'other',
    severity: 'normal',
    path: ['open', 'resolved', 'closed'],
    hoursAgo: 96,
    resolvedAfter: 20,
  },
  {
    subject: '物流停滞在转运中心',
    description: '杭州转运中心停留两天。',
    category: 'logistics',
    severity: 'normal',
    path: [],
    hoursAgo: 2,
  },
  {
    subject: '退款迟迟未到账',
    description: '退货已签收 5 天，退款未到。',
    category: 'return',
    severity: 'serious',
    path: ['open', 'waiting_third_party'],
    hoursAgo: 40,
  },
  {
    subject: '投诉包装简陋不像礼品',
    description: '送礼用，顾客认为包装与宣传不符。',
    category: 'complaint',
    severity: 'normal',
    path: ['open', 'resolved'],
    hoursAgo: 30,
    resolvedAfter: 3,
    comment: '已补寄礼品袋，顾客表示满意。',
  },
  {
    subject: '能否指定顺丰发货',
    description: '顾客愿意补运费差价。',
    category: 'inquiry',
    severity: 'normal',
    path: ['open', 'resolved', 'closed'],
    hoursAgo: 120,
    resolvedAfter: 2,
  },
  {
    subject: '商品页面价格与结算价不一致',
    description: '页面显示 199，结算 229。',
    category: 'complaint',
    severity: 'serious',
    path: ['open'],
    hoursAgo: 3,
  },
  {
    subject: '申请换成大容量规格',
    description: '收到 100g 想换 250g，补差价。',
    category: 'return',
    severity: 'normal',
    path: [],
    hoursAgo: 0.8,
  },
  {
    subject: '快递员态度恶劣',
    description: '顾客投诉派件员，要求处理。',
    category: 'logistics',
    severity: 'serious',
    path: ['open', 'waiting_third_party'],
    hoursAgo: 10,
  },
  {
    subject: '询问茶叶冲泡方法',
    description: '新手，问水温和投茶量。',
    category: 'inquiry',
    severity: 'normal',
    path: ['open', 'resolved'],
    hoursAgo: 1.5,
    resolvedAfter: 0.2,
  },
  {
    subject: '重复扣款',
    description: '同一订单支付宝扣了两次。',
    category: 'other',
    severity: 'urgent',
    path: ['open'],
    hoursAgo: 2.5,
    comment: '已提交支付平台核查。',
  },
  {
    subject: '投诉赠品未随单发出',
    description: '活动页写送茶具，实际没收到。',
    category: 'complaint',
    severity: 'normal',
    path: ['open', 'resolved', 'open'],
    hoursAgo: 50,
    resolvedAfter: 3.5,
    comment: '顾客反馈补发的赠品仍未收到，重新打开。',
  },
  {
    subject: '海外地址能否配送',
    description: '寄往新加坡。',
    category: 'inquiry',
    severity: 'normal',
    path: ['open', 'resolved', 'closed'],
    hoursAgo: 200,
    resolvedAfter: 22,
  },
  {
    subject: '退货寄回后仓库未签收',
    description: '单号显示已派送。',
    category: 'return',
    severity: 'normal',
    path: ['open'],
    hoursAgo: 28,
  },
  {
    subject: '预售商品发货时间确认',
    description: '预售款何时发货。',
    category: 'logistics',
    severity: 'normal',
    path: ['open', 'resolved'],
    hoursAgo: 9,
    resolvedAfter: 4,
  },
  {
    subject: '要求加急处理婚礼用茶',
    description: '下周六婚礼，需本周内送达。',
    category: 'other',
    severity: 'serious',
    path: ['open'],
    hoursAgo: 0.3,
  },
];

/**
 * Demo tickets: three SLA policies (咨询首响1小时, 退换货24小时解决, 投诉4小时升级主管) and 30 tickets in every
 * state, most linked to the demo conversations; older ones are backdated so some clocks are amber, red or breached.
 * `reportingIdle` resolves when the report facts of the tickets' events are written: they are backdated too.
 */
export async function seedDemoTickets(
  tickets: TicketsService,
  db: Db,
  workspaceId: string,
  reportingIdle: () => Promise<void>,
) {
  const staff = await db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), inArray(users.role, ['owner', 'supervisor', 'agent'])))
    .orderBy(asc(users.createdAt));
  const owner = staff.find((u) => u.role === 'owner');
  if (!owner) return;
  const actorOf = (user: { id: string; name: string; role: string }): Actor => ({
    userId: user.id,
    workspaceId,
    role: user.role as Actor['role'],
    name: user.name,
  });
  const ownerActor = actorOf(owner);
  const supervisor = staff.find((u) => u.role === 'supervisor') ?? owner;
  const agents = staff.filter((u) => u.role === 'agent');
  const workers = agents.length > 0 ? agents : [owner];

  await tickets.createPolicy(ownerActor, {
    name: '投诉4小时升级主管',
    enabled: true,
    categories: ['complaint'],
    severities: [],
    customerTiers: [],
    targets: { first_response: 30, resolution: 24 * 60, escalation: 4 * 60 },
    hours: 'calendar',
    escalation: { notifySupervisors: true, assigneeId: supervisor.id, teamId: null, raiseSeverity: true },
  });
  await tickets.createPolicy(ownerActor, {
    name: '咨询首响1小时',
    enabled: true,
    categories: ['inquiry', 'logistics', 'other'],
    severities: [],
    customerTiers: [],
    targets: { first_response: 60, resolution: 48 * 60, escalation: null },
    hours: 'calendar',
    escalation: null,
  });
  await tickets.createPolicy(ownerActor, {
    name: '退换货24小时解决',
    enabled: true,
    categories: ['return'],
    severities: [],
    customerTiers: [],
    targets: { first_response: 60, resolution: 24 * 60, escalation: null },
    hours: 'calendar',
    escalation: null,
  });

  const chats = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.workspaceId, workspaceId))
    .orderBy(asc(conversations.createdAt))
    .limit(TICKETS.length);

  /** Moves a ticket, its timeline and its clocks `seconds` into the past together. */
  const backdate = async (id: string, seconds: number) => {
    if (seconds === 0) return;
    const shift = sql`make_interval(secs => ${seconds})`;
    await db.execute(sql`
      update tickets set
        created_at = created_at - ${shift}, updated_at = updated_at - ${shift}, sla_started_at = sla_started_at - ${shift},
        fr_due_at = fr_due_at - ${shift}, res_due_at = res_due_at - ${shift}, esc_due_at = esc_due_at - ${shift},
        fr_met_at = fr_met_at - ${shift}, res_met_at = res_met_at - ${shift}, esc_met_at = esc_met_at - ${shift},
        first_responded_at = first_responded_at - ${shift}, resolved_at = resolved_at - ${shift},
        closed_at = closed_at - ${shift}
      where id = ${id}`);
    await db.execute(sql`update ticket_events set created_at = created_at - ${shift} where ticket_id = ${id}`);
  };
  const hours = (value: number) => Math.round(value * 3600);

  const backdated: { id: string; seconds: number; resolvedAfter: number; resolving: string }[] = [];
  for (const [i, demo] of TICKETS.entries()) {
    const worker = workers[i % workers.length]!;
    const actor = actorOf(worker);
    const created = await tickets.create(actor, {
      subject: demo.subject,
      description: demo.description,
      category: demo.category,
      severity: demo.severity,
      // Every fourth ticket is standalone (a phone call); the others come from a conversation.
      conversationId: i % 4 === 3 ? null : (chats[i]?.id ?? null),
      assigneeId: demo.path.length > 0 ? worker.id : null,
    });
    const walk = async (path: TicketStatus[]) => {
      for (const status of path) {
        if ((await tickets.get(actor, created.id)).status !== status)
          await tickets.update(actor, created.id, { status });
      }
    };
    const resolvedAfter = hours(demo.resolvedAfter ?? 0);
    if (demo.comment)
      await tickets.comment(actor, created.id, { body: demo.comment, internal: true, attachmentIds: [] });
    // Resolved ones were answered first, so their first-response clock is met before the resolution.
    if (demo.path.length > 0 && (i % 3 !== 2 || resolvedAfter > 0))
      await tickets.comment(actor, created.id, {
        body: '您好，已收到您的问题，正在为您处理。',
        internal: false,
        attachmentIds: [],
      });
    const resolvedAt = demo.path.indexOf('resolved');
    const beforeResolution = resolvedAt < 0 ? demo.path : demo.path.slice(0, resolvedAt);
    await walk(beforeResolution);
    // Opened `resolvedAfter` before it is resolved now, so its resolution time (and its report fact) is real.
    await backdate(created.id, resolvedAfter);
    const resolving = new Date().toISOString();
    await walk(demo.path.slice(beforeResolution.length));
    await backdate(created.id, hours(demo.hoursAgo) - resolvedAfter);
    backdated.push({ id: created.id, seconds: hours(demo.hoursAgo), resolvedAfter, resolving });
  }
  // The report facts (created, resolved, SLA met/missed) move with their tickets, so 今天 counts only today's: the
  // ones from the resolution on were dated after the first move.
  await reportingIdle();
  await db.execute(sql`
    update reporting_events e set occurred_at = e.occurred_at
      - make_interval(secs => s.seconds - case when e.occurred_at >= s.resolving then s."resolvedAfter" else 0 end)
    from jsonb_to_recordset(${JSON.stringify(backdated)}::jsonb)
      as s(id uuid, seconds integer, "resolvedAfter" integer, resolving timestamptz)
    where e.workspace_id = ${workspaceId} and e.ticket_id = s.id`);
  // The sweep's breaches are dated at the backdated due times.
  await tickets.sweepSla();
}
