import { randomBytes } from 'node:crypto';
import type { HuikeApp } from '../app.ts';
import { seedDemoReporting } from '../modules/analytics/index.ts';
import { seedDemoAutomation } from '../modules/automation/index.ts';
import { seedDemoEmail, seedDemoSms } from '../modules/channels/index.ts';
import { seedDemoKeywordReplies } from '../modules/keyword-replies/index.ts';
import { seedDemoKnowledge } from '../modules/knowledge/index.ts';
import { seedDemoOrders } from '../modules/orders/index.ts';
import { seedDemoRouting } from '../modules/routing/index.ts';
import { seedDemoTagsAndSegments } from '../modules/segments/index.ts';
import { seedDemoSurveys } from '../modules/surveys/index.ts';
import { seedDemoTemplates } from '../modules/templates/index.ts';
import { seedDemoTickets } from '../modules/tickets/index.ts';
import { seedDemoWebhooks } from '../modules/webhooks/index.ts';
import { newId } from '../platform/ids.ts';
import type { Database } from './database.ts';
import { seedDemoOmnichannel } from './demo-omnichannel.ts';
import { conversations, customerIdentities, customers, messages } from './schema.ts';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建华文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘';

const CUSTOMER_LINES = [
  '你好，请问这款绿茶礼盒还有货吗？',
  '我昨天下的单，什么时候发货呀？',
  '快递到哪了？单号查不到信息',
  '收到的商品包装破损了，可以换货吗？',
  '想问一下有没有优惠券可以用',
  '这个茶叶保质期多久？',
  '可以开发票吗？公司报销要用',
  '我要退货，尺寸不合适',
  '为什么还没有发货？都三天了',
  '请问支持七天无理由退换吗',
];
const AGENT_LINES = [
  '您好，有货的，现在下单今天就能发出哦～',
  '亲，已经帮您催促仓库了，预计今天下午发货',
  '帮您查了一下，包裹已经到达杭州转运中心，明天就能送到',
  '非常抱歉给您带来不便，我们马上为您安排换货',
  '可以的，下单时备注发票抬头和税号就可以',
  '支持七天无理由退换，您在订单页申请就可以',
];

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;

function chineseName(i: number): string {
  const surname = SURNAMES[(i * 7) % SURNAMES.length]!;
  const length = i % 3 === 0 ? 1 : 2;
  let given = '';
  for (let k = 0; k < length; k++) given += GIVEN[(i * 13 + k * 31) % GIVEN.length];
  return surname + given;
}

/**
 * First-run demo data: a shop with a website inbox, three agents, 200 customers with Chinese names and
 * conversations in every state. Returns the owner's login, which is printed once and never stored in clear.
 */
export async function seedDemoWorkspace(huike: HuikeApp, database: Database) {
  const { workspaces, identity, channels } = huike.services;
  const password = randomBytes(9).toString('base64url');
  const { workspace, user: owner } = await workspaces.createWorkspaceWithOwner({
    workspaceName: '慧客优选旗舰店',
    timezone: 'Asia/Shanghai',
    name: '林店长',
    email: 'owner@demo.huike.local',
    password,
  });
  const ownerActor = { userId: owner.id, workspaceId: workspace.id, role: 'owner' as const, name: owner.name };
  const agentNames = ['小美', '小周', '阿杰'];
  const agents: Awaited<ReturnType<typeof identity.createUser>>[] = [];
  for (const [i, name] of agentNames.entries()) {
    agents.push(
      await identity.createUser(ownerActor, {
        email: `agent${i + 1}@demo.huike.local`,
        name,
        role: i === 0 ? 'supervisor' : 'agent',
        password,
        teamIds: [],
      }),
    );
  }
  await identity.createTeam(ownerActor, { name: '售前组', memberIds: [agents[0]!.id, agents[1]!.id] });
  await identity.createTeam(ownerActor, { name: '售后组', memberIds: [agents[2]!.id] });
  const inbox = await channels.create(ownerActor, {
    name: '官网在线客服',
    channelType: 'website',
    settings: { color: '#1677ff', greeting: '您好，欢迎光临慧客优选！有什么可以帮您？' },
    channelConfig: {},
  });

  const statuses = ['open', 'open', 'open', 'pending', 'snoozed', 'resolved', 'resolved'] as const;
  const now = Date.now();
  await database.db.transaction(async (tx) => {
    for (let i = 0; i < 200; i++) {
      const customerId = newId();
      const phone = i % 4 === 0 ? null : `1${38 + (i % 12)}${String(10_000_000 + i * 7919).slice(-8)}`;
      await tx.insert(customers).values({
        id: customerId,
        workspaceId: workspace.id,
        name: chineseName(i),
        phone,
        email: i % 5 === 0 ? `buyer${i}@example.com` : null,
      });
      await tx.insert(customerIdentities).values({
        id: newId(),
        workspaceId: workspace.id,
        inboxId: inbox.id,
        customerId,
        kind: 'source',
        externalId: `demo_${i}`,
      });
      if (i >= 60) continue;
      const status = pick(statuses, i);
      const isWaiting = status === 'open' && i % 2 === 0;
      const lines = [pick(CUSTOMER_LINES, i), pick(AGENT_LINES, i), pick(CUSTOMER_LINES, i + 3)];
      if (!isWaiting) lines.push(pick(AGENT_LINES, i + 1));
      // Waiting customers wrote last, minutes ago; the other chats ended earlier in the day.
      const lastMessageAt = now - (isWaiting ? (i + 1) * 60_000 : (i + 1) * 17 * 60_000);
      const startedAt = lastMessageAt - (lines.length - 1) * 60_000;
      const conversationId = newId();
      await tx.insert(conversations).values({
        id: conversationId,
        workspaceId: workspace.id,
        inboxId: inbox.id,
        customerId,
        status,
        assigneeId: i % 3 === 0 ? null : agents[i % agents.length]!.id,
        snoozedUntil: status === 'snoozed' ? new Date(now + 3 * 3_600_000) : null,
        waitingSince: isWaiting ? new Date(lastMessageAt) : null,
        firstReplyAt: new Date(startedAt + 60_000),
        resolvedAt: status === 'resolved' ? new Date(lastMessageAt) : null,
        lastMessageAt: new Date(lastMessageAt),
        lastMessagePreview: lines.at(-1)!,
        unreadCount: isWaiting ? 1 : 0,
        createdAt: new Date(startedAt),
      });
      await tx.insert(messages).values(
        lines.map((content, k) => ({
          id: newId(),
          workspaceId: workspace.id,
          conversationId,
          direction: k % 2 === 0 ? ('inbound' as const) : ('outbound' as const),
          senderKind: k % 2 === 0 ? ('customer' as const) : ('agent' as const),
          senderId: k % 2 === 0 ? null : agents[i % agents.length]!.id,
          content,
          createdAt: new Date(startedAt + k * 60_000),
        })),
      );
    }
  });
  await seedDemoOrders(database.db, workspace.id);
  await seedDemoTagsAndSegments(database.db, workspace.id, owner.id);
  await seedDemoTemplates(database.db, workspace.id, owner.id);
  await seedDemoKeywordReplies(database.db, workspace.id, owner.id);
  await seedDemoKnowledge(database.db, workspace.id, owner.id);
  await seedDemoAutomation(database.db, workspace.id, owner.id);
  await seedDemoRouting(database.db, workspace.id);
  await seedDemoTickets(huike.services.tickets, database.db, workspace.id, huike.services.reportingWriter.idle);
  await seedDemoSurveys(database.db, workspace.id);
  await seedDemoReporting(database.db, workspace.id);
  await seedDemoWebhooks(database.db, workspace.id, owner.id);
  await seedDemoOmnichannel(database.db, workspace.id, agents[1]!);
  await seedDemoSms(database.db, workspace.id, owner.id);
  await seedDemoEmail(huike.channelRuntime, workspace.id, owner.id);
  return { email: 'owner@demo.huike.local', password };
}
