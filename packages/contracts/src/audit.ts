import { z } from 'zod';
import { id, isoDateTime } from './common.ts';

/** One recorded action: who did what to which record, with the facts needed to review it (never secrets). */
export const auditEntry = z.object({
  id,
  actor: z.object({ id, name: z.string() }).nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /**
   * The target's name for a reader: as recorded with the entry (`details.name` / `details.title`), else the current
   * name of a member, team, channel or customer that still exists; null when neither is known.
   */
  targetName: z.string().nullable(),
  /**
   * Facts recorded with the action. Changes are `changes: { <field>: { before, after } }`; never passwords, secrets
   * or tokens (a changed secret reads `{ changed: true }`).
   */
  details: z.record(z.string(), z.unknown()),
  createdAt: isoDateTime,
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditListQuery = z.strictObject({
  action: z.string().max(100).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

/** Result of recomputing the workspace's hash chain: `firstBrokenId` names the first entry that does not match. */
export const auditVerification = z.object({
  isIntact: z.boolean(),
  checked: z.number().int(),
  firstBrokenId: id.nullable(),
});
