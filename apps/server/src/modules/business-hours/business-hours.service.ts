import type { Holiday } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { AppError } from '../../platform/errors.ts';
import type { AuditService } from '../audit/index.ts';
import * as repo from './business-hours.repository.ts';
import { HOLIDAY_PRESETS, presetYears } from './holiday-presets.ts';
import { invalidateWorkspaceHolidays } from './inbox-hours.ts';

const toHoliday = (row: { date: string; kind: 'holiday' | 'workday'; name: string }): Holiday => ({
  date: row.date,
  kind: row.kind,
  name: row.name,
});

export type BusinessHoursService = ReturnType<typeof createBusinessHoursService>;

/** The workspace calendar of public holidays and 调休 workdays (inbox hours live in the inbox settings). */
export function createBusinessHoursService({ db, audit }: { db: Db; audit: AuditService }) {
  return {
    async listHolidays(actor: Actor, query: { year?: number }) {
      assertCan(actor, 'automation:read');
      const rows = await repo.listHolidays(db, actor.workspaceId, query.year);
      return { items: rows.map(toHoliday), nextCursor: null, presetYears: presetYears() };
    },

    async putHoliday(actor: Actor, date: string, input: { kind: 'holiday' | 'workday'; name: string }) {
      assertCan(actor, 'automation:manage');
      const row = await db.transaction(async (tx) => {
        const [saved] = await repo.upsertHolidays(tx, actor.workspaceId, [{ date, ...input }]);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'business_hours.holiday_saved',
          targetType: 'holiday',
          targetId: date,
          details: { kind: input.kind, name: input.name },
        });
        return saved!;
      });
      invalidateWorkspaceHolidays(actor.workspaceId);
      return toHoliday(row);
    },

    async deleteHoliday(actor: Actor, date: string) {
      assertCan(actor, 'automation:manage');
      await db.transaction(async (tx) => {
        const deleted = await repo.deleteHoliday(tx, actor.workspaceId, date);
        if (!deleted) throw new AppError('holiday.not_found', '该日期没有节假日安排');
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'business_hours.holiday_deleted',
          targetType: 'holiday',
          targetId: date,
          details: { kind: deleted.kind, name: deleted.name },
        });
      });
      invalidateWorkspaceHolidays(actor.workspaceId);
    },

    /**
     * Re-applies the national arrangement of a year: its days are written back as published (edits of those
     * dates are overwritten, deleted ones return); other days of the year the admin added are kept. Idempotent.
     */
    async importPreset(actor: Actor, year: number) {
      assertCan(actor, 'automation:manage');
      const preset = HOLIDAY_PRESETS[year];
      if (!preset) {
        throw new AppError(
          'holiday.no_preset',
          `没有 ${year} 年的国家法定节假日安排（可用年份：${presetYears().join('、')}）`,
        );
      }
      const rows = await db.transaction(async (tx) => {
        await repo.upsertHolidays(tx, actor.workspaceId, preset);
        await audit.record(tx, {
          workspaceId: actor.workspaceId,
          actorId: actor.userId,
          action: 'business_hours.holiday_preset_imported',
          details: { year, days: preset.length },
        });
        return repo.listHolidays(tx, actor.workspaceId, year);
      });
      invalidateWorkspaceHolidays(actor.workspaceId);
      return { items: rows.map(toHoliday), nextCursor: null, presetYears: presetYears() };
    },
  };
}
