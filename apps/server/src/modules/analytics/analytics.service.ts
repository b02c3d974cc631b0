import { localDate, type ServiceReport, type ServiceReportQuery } from '@huike/contracts';
import type * as ExcelJS from 'exceljs';
import type PDFKit from 'pdfkit';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { workspaceTimezone } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { lazyModule } from '../../platform/lazy-module.ts';
import { exportText, FONT_PATH, neutraliseFormula, printableInPdf } from '../imports-exports/index.ts';
import * as repo from './analytics.repository.ts';
import { computeServiceReport, daysBetween } from './service-report.ts';

const excel = lazyModule<typeof ExcelJS>('exceljs');
const pdfkit = lazyModule<typeof PDFKit>('pdfkit');

const MAX_RANGE_DAYS = 400;
/** Past days re-checked for missing rollups (late facts such as broken first-contact resolutions land up to 7 days back). */
const ROLLUP_LOOKBACK_DAYS = 35;

const CATEGORY_LABELS: Record<string, string> = {
  inquiry: '咨询',
  logistics: '物流',
  return: '退换货',
  complaint: '投诉',
  other: '其他',
};

const formatSeconds = (value: number | null) => {
  if (value === null) return '—';
  if (value < 60) return `${value}秒`;
  if (value < 3600) return `${Math.floor(value / 60)}分${value % 60}秒`;
  if (value < 86_400) return `${Math.floor(value / 3600)}小时${Math.round((value % 3600) / 60)}分`;
  return `${(value / 86_400).toFixed(1)}天`;
};
const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/** The report as rows of tables (one table per sheet / PDF section). */
export function reportTables(report: ServiceReport) {
  const k = report.kpis;
  return [
    {
      name: '核心指标',
      headers: ['指标', '数值'],
      rows: [
        ['对话量', String(k.conversations)],
        ['已解决对话', String(k.conversationsResolved)],
        ['首次响应时间 中位数', formatSeconds(k.firstResponse.median)],
        ['首次响应时间 P90', formatSeconds(k.firstResponse.p90)],
        ['首次响应时间 中位数（工作时间）', formatSeconds(k.firstResponse.businessMedian)],
        ['回复时间 中位数', formatSeconds(k.replyTime.median)],
        ['解决时长 中位数', formatSeconds(k.resolution.median)],
        ['解决时长 P90', formatSeconds(k.resolution.p90)],
        ['解决时长 中位数（工作时间）', formatSeconds(k.resolution.businessMedian)],
        ['一次解决率', percent(k.fcr.rate)],
        ['重复咨询率', percent(k.repeatInquiry.rate)],
        ['新建工单', String(k.ticketsCreated)],
        ['已解决工单', String(k.ticketsResolved)],
        ['SLA 达成率', percent(k.sla.rate)],
        ['机器人解决率', percent(k.bot.resolutionRate)],
        ['机器人转人工率', percent(k.bot.handOffRate)],
        ['CSAT 平均分', k.csat.average === null ? '—' : k.csat.average.toFixed(2)],
        ['CSAT 满意率', percent(k.csat.satisfiedRate)],
        ['NPS', k.nps.score === null ? '—' : String(k.nps.score)],
        ['紧急消息', String(k.urgentMessages)],
      ],
    },
    {
      name: '每日趋势',
      headers: ['日期', '对话量', '已解决', '新建工单', '首响中位数'],
      rows: report.daily.map((d) => [
        d.date,
        String(d.conversations),
        String(d.resolved),
        String(d.tickets),
        formatSeconds(d.firstResponseMedian),
      ]),
    },
    {
      name: '客服排行',
      headers: ['客服', '解决对话', '首响中位数', 'CSAT 平均分', 'CSAT 份数'],
      rows: report.leaderboard.map((a) => [
        a.name,
        String(a.resolved),
        formatSeconds(a.firstResponseMedian),
        a.csatAverage === null ? '—' : a.csatAverage.toFixed(2),
        String(a.csatResponses),
      ]),
    },
    {
      name: '工单分类',
      headers: ['分类', '工单数'],
      rows: report.topCategories.map((c) => [CATEGORY_LABELS[c.category] ?? c.category, String(c.count)]),
    },
    {
      name: '投诉关键词',
      headers: ['关键词', '次数'],
      rows: report.topKeywords.map((c) => [c.keyword, String(c.count)]),
    },
  ];
}

async function toXlsx(report: ServiceReport): Promise<Buffer> {
  const workbook = new (excel().Workbook)();
  for (const table of reportTables(report)) {
    const sheet = workbook.addWorksheet(table.name);
    sheet.addRow(table.headers);
    for (const row of table.rows) sheet.addRow(row.map(neutraliseFormula));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function toPdf(report: ServiceReport): Promise<Buffer> {
  const document = new (pdfkit())({ size: 'A4', margin: 36, info: { Title: '服务数据报表' } });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => document.on('end', () => resolve(Buffer.concat(chunks))));
  document.registerFont('cjk', FONT_PATH);
  let replacedAny = false;
  document.font('cjk').fontSize(16).text('服务数据报表');
  document
    .fontSize(9)
    .fillColor('#666666')
    .text(`${report.range.from} 至 ${report.range.to}（${report.range.timezone}）`);
  for (const table of reportTables(report)) {
    document.moveDown(0.8).fillColor('#000000').fontSize(12).text(table.name);
    document.fontSize(9).text(table.headers.join('  |  '), { paragraphGap: 2 });
    for (const row of table.rows) {
      const line = row.join('  |  ');
      const printable = printableInPdf(line);
      replacedAny ||= printable !== line;
      document.text(printable, { paragraphGap: 2 });
    }
    if (table.rows.length === 0) document.fillColor('#999999').text('暂无数据').fillColor('#000000');
  }
  if (replacedAny) document.moveDown(0.8).fontSize(8).fillColor('#666666').text(exportText['zh-CN'].pdfMissingGlyphs);
  document.end();
  return done;
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;

export function createAnalyticsService({ db }: { db: Db }) {
  async function checkQuery(actor: Actor, query: ServiceReportQuery) {
    assertCan(actor, 'reports:read');
    if (query.from > query.to) throw new AppError('request.invalid', '开始日期不能晚于结束日期');
    if (daysBetween(query.from, query.to).length > MAX_RANGE_DAYS) {
      throw new AppError('request.invalid', `日期范围最多 ${MAX_RANGE_DAYS} 天`);
    }
    if (query.inboxId && !(await repo.existsInWorkspace(db, 'inboxes', actor.workspaceId, query.inboxId))) {
      throw new AppError('inbox.not_found', '渠道不存在');
    }
    if (query.teamId && !(await repo.existsInWorkspace(db, 'teams', actor.workspaceId, query.teamId))) {
      throw new AppError('team.not_found', '团队不存在');
    }
    if (query.agentId && !(await repo.existsInWorkspace(db, 'users', actor.workspaceId, query.agentId))) {
      throw new AppError('user.not_found', '客服不存在');
    }
  }

  return {
    /** Every figure of the service dashboard for a range of days in the workspace timezone. */
    async serviceReport(actor: Actor, query: ServiceReportQuery): Promise<ServiceReport> {
      await checkQuery(actor, query);
      return computeServiceReport(db, actor.workspaceId, query);
    },

    /** The same figures as a file. */
    async exportServiceReport(actor: Actor, query: ServiceReportQuery & { format: 'xlsx' | 'pdf' }) {
      await checkQuery(actor, query);
      const report = await computeServiceReport(db, actor.workspaceId, query);
      const name = `service-report-${query.from}-${query.to}.${query.format}`;
      if (query.format === 'xlsx') {
        return {
          name,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          body: await toXlsx(report),
        };
      }
      return { name, contentType: 'application/pdf', body: await toPdf(report) };
    },

    /** Rebuilds one day's rollups (idempotent). */
    async rollUpDay(workspaceId: string, day: string) {
      const timezone = await workspaceTimezone(db, workspaceId);
      await db.transaction((tx) => repo.rebuildDay(tx, workspaceId, timezone, day));
    },

    /** Rebuilds one month's monthly rollups from its daily ones (`month`: its first day). */
    async rollUpMonth(workspaceId: string, month: string) {
      await db.transaction((tx) => repo.rebuildMonth(tx, workspaceId, month));
    },

    /**
     * The rollup sweep (worker timer): every past day of the last weeks without rollups is built, so a day reads
     * rollups from the first sweep after its midnight; a late fact for a past day makes it stale and rebuilt here.
     */
    async sweepRollups(now = new Date()) {
      let built = 0;
      for (const workspace of await repo.allWorkspaces(db)) {
        for (const day of await repo.daysToRollUp(db, workspace.id, workspace.timezone, ROLLUP_LOOKBACK_DAYS)) {
          if (day >= localDate(now, workspace.timezone)) continue;
          await db.transaction((tx) => repo.rebuildDay(tx, workspace.id, workspace.timezone, day));
          built++;
        }
        for (const month of await repo.monthsToRollUp(db, workspace.id, workspace.timezone)) {
          await db.transaction((tx) => repo.rebuildMonth(tx, workspace.id, month));
          built++;
        }
      }
      return built;
    },
  };
}
