import type { Customer } from '@huike/contracts';
import type { Db } from '../../db/database.ts';
import { type Actor, assertCan } from '../../platform/access.ts';
import { decodeIdCursor, type Executor, encodeCursor } from '../../platform/db-helpers.ts';
import { AppError } from '../../platform/errors.ts';
import { newId, sha256 } from '../../platform/ids.ts';
import * as repo from './customers.repository.ts';

export const toCustomer = (row: repo.CustomerRow): Customer => ({
  id: row.id,
  name: row.name,
  phone: row.phone,
  email: row.email,
  notes: row.notes,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

type ContactDetails = { name?: string; phone?: string; email?: string };

export type CustomersService = ReturnType<typeof createCustomersService>;

export function createCustomersService({ db }: { db: Db }) {
  async function getRow(actor: Actor, id: string) {
    const row = await repo.findCustomer(db, actor.workspaceId, id);
    if (!row) throw new AppError('customer.not_found', '客户不存在');
    return row;
  }

  /** Fills contact fields the customer does not have yet; never overwrites what an agent entered. */
  async function fillMissingDetails(executor: Executor, customer: repo.CustomerRow, details: ContactDetails) {
    const patch = {
      ...(details.name && !customer.name ? { name: details.name } : {}),
      ...(details.phone && !customer.phone ? { phone: details.phone } : {}),
      ...(details.email && !customer.email ? { email: details.email } : {}),
    };
    if (Object.keys(patch).length > 0) await repo.updateCustomer(executor, customer.workspaceId, customer.id, patch);
  }

  /**
   * Finds or creates the customer behind a channel identity (a widget visitor or an API source id),
   * inside the caller's transaction. The identity's secret token, if any, is stored hashed.
   */
  async function resolveIdentity(
    executor: Executor,
    input: {
      workspaceId: string;
      inboxId: string;
      kind: repo.IdentityKind;
      externalId: string;
      token?: string;
      details?: ContactDetails;
    },
  ) {
    await repo.lockKey(executor, `identity:${input.inboxId}:${input.kind}:${input.externalId}`);
    const existing = await repo.findIdentity(executor, input.workspaceId, input.inboxId, input.kind, input.externalId);
    if (existing) {
      const customer = (await repo.findCustomer(executor, input.workspaceId, existing.customerId))!;
      if (input.details) await fillMissingDetails(executor, customer, input.details);
      return { customerId: existing.customerId, identity: existing };
    }
    const customer = await repo.insertCustomer(executor, {
      id: newId(),
      workspaceId: input.workspaceId,
      name: input.details?.name ?? null,
      phone: input.details?.phone ?? null,
      email: input.details?.email ?? null,
    });
    const identity = await repo.upsertIdentity(executor, {
      id: newId(),
      workspaceId: input.workspaceId,
      inboxId: input.inboxId,
      customerId: customer.id,
      kind: input.kind,
      externalId: input.externalId,
      tokenHash: input.token ? sha256(input.token) : null,
    });
    return { customerId: identity.customerId, identity };
  }

  return {
    async list(actor: Actor, query: { q?: string; limit: number; cursor?: string }) {
      assertCan(actor, 'customers:read');
      const before = decodeIdCursor(query.cursor);
      const rows = await repo.listCustomers(db, actor.workspaceId, query.q || undefined, before, query.limit + 1);
      const items = rows.slice(0, query.limit).map(toCustomer);
      return { items, nextCursor: rows.length > query.limit ? encodeCursor([items.at(-1)!.id]) : null };
    },

    get: async (actor: Actor, id: string) => {
      assertCan(actor, 'customers:read');
      return toCustomer(await getRow(actor, id));
    },

    async update(actor: Actor, id: string, patch: Partial<Pick<Customer, 'name' | 'phone' | 'email' | 'notes'>>) {
      assertCan(actor, 'customers:update');
      await getRow(actor, id);
      return toCustomer((await repo.updateCustomer(db, actor.workspaceId, id, patch))!);
    },

    resolveIdentity,

    findIdentity: (workspaceId: string, inboxId: string, kind: repo.IdentityKind, externalId: string) =>
      repo.findIdentity(db, workspaceId, inboxId, kind, externalId),

    /**
     * Links a visitor to the shop user it proved to be (signed identifier): the visitor identity moves to the
     * shop user's customer, created on first sight, so the visitor sees that customer's history.
     */
    async linkVisitorToShopUser(
      workspaceId: string,
      inboxId: string,
      visitorIdentityId: string,
      shopUserId: string,
      name?: string,
    ) {
      return db.transaction(async (tx) => {
        const { customerId } = await resolveIdentity(tx, {
          workspaceId,
          inboxId,
          kind: 'shop_user',
          externalId: shopUserId,
          details: { name },
        });
        const visitorCustomerId = await repo.moveIdentity(tx, visitorIdentityId, customerId);
        // The anonymous visitor's record is now empty: its conversations belong to the shop user.
        if (
          visitorCustomerId &&
          visitorCustomerId !== customerId &&
          !(await repo.hasIdentities(tx, visitorCustomerId))
        ) {
          await repo.mergeCustomerInto(tx, workspaceId, visitorCustomerId, customerId);
        }
        return customerId;
      });
    },
  };
}
