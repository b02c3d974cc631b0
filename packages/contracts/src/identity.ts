import { z } from 'zod';
import { timezoneName } from './business-hours.ts';
import { id, isoDateTime, listQuery, trimmedString } from './common.ts';

export const roles = ['owner', 'admin', 'supervisor', 'agent', 'analyst'] as const;
export const role = z.enum(roles);
export type Role = z.infer<typeof role>;

export const email = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase());
export const password = z.string().min(8, '密码至少 8 位').max(200, '密码最多 200 位');

export const user = z.object({
  id,
  email: z.string(),
  name: z.string(),
  role,
  disabled: z.boolean(),
  teamIds: z.array(id),
  createdAt: isoDateTime,
});
export type User = z.infer<typeof user>;

export const workspace = z.object({ id, name: z.string(), timezone: z.string() });
export type Workspace = z.infer<typeof workspace>;
/** Rename the workspace and/or change its time zone; fields left out stay as they are. */
export const updateWorkspaceBody = z
  .strictObject({
    name: trimmedString().min(1).max(100).optional(),
    timezone: timezoneName.optional(),
  })
  .refine((body) => body.name !== undefined || body.timezone !== undefined, '请填写要修改的名称或时区');
export type UpdateWorkspaceInput = z.infer<typeof updateWorkspaceBody>;

export const loginBody = z.strictObject({ email, password: z.string().min(1).max(200) });
export const session = z.object({ user, workspace, csrfToken: z.string() });
export type Session = z.infer<typeof session>;

export const setupStatus = z.object({ needsSetup: z.boolean() });
export const setupBody = z.strictObject({
  workspaceName: trimmedString().min(1).max(100),
  timezone: z.string().min(1).max(64).default('Asia/Shanghai'),
  name: trimmedString().min(1).max(100),
  email,
  password,
});

export const createUserBody = z.strictObject({
  email,
  name: trimmedString().min(1).max(100),
  role,
  password,
  teamIds: z.array(id).max(50).default([]),
});
/** The signed-in user changes their own password; the current one proves it is them. */
export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
});
/** An owner or admin sets a member's new password (the member is signed out everywhere). */
export const resetPasswordBody = z.strictObject({ newPassword: password });

export const updateUserBody = z.strictObject({
  name: trimmedString().min(1).max(100).optional(),
  role: role.optional(),
  disabled: z.boolean().optional(),
  teamIds: z.array(id).max(50).optional(),
});

export const team = z.object({ id, name: z.string(), memberIds: z.array(id) });
export type Team = z.infer<typeof team>;
export const createTeamBody = z.strictObject({
  name: trimmedString().min(1).max(100),
  memberIds: z.array(id).max(500).default([]),
});
/** Rename a team and/or replace its members (the whole list); fields left out stay as they are. */
export const updateTeamBody = z
  .strictObject({
    name: createTeamBody.shape.name.optional(),
    memberIds: z.array(id).max(500).optional(),
  })
  .refine((body) => body.name !== undefined || body.memberIds !== undefined, '请填写要修改的团队名称或成员');
export type UpdateTeamInput = z.infer<typeof updateTeamBody>;

export const apiTokenCreated = z.object({ id, name: z.string(), token: z.string() });
export const createApiTokenBody = z.strictObject({ name: trimmedString().min(1).max(100) });
/** A token as lists show it: its first characters only, never the secret. `userName` names who made it. */
export const apiToken = z.object({
  id,
  name: z.string(),
  prefix: z.string().nullable(),
  userId: id,
  userName: z.string(),
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
});
export type ApiToken = z.infer<typeof apiToken>;
/** `all`: every member's tokens (needs `users:manage`); otherwise the caller's own. */
export const listApiTokensQuery = listQuery.extend({ scope: z.enum(['own', 'all']).default('own') });
export type ListApiTokensQuery = z.output<typeof listApiTokensQuery>;
