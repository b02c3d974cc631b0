/**
 * assignment: how long routing's assignment decision takes in a busy shop (issue 5: p99 ≤ 5 ms).
 *
 * A fresh server (embedded PostgreSQL, migrated); straight into its database: AGENTS staff agents (all online,
 * capacity 80, in 5 teams of equal size, every 4th senior) and OPEN open conversations spread over them, plus
 * PICKS new unassigned conversations of returning and new customers. Timed per new conversation, one at a time
 * through a pool of the app's own size: the decision, `pickAssignee` (one call of `huike_pick_assignee`: scope
 * lock, candidates, load against capacity, sticky agent, round-robin turn written; the target applies to it), and
 * then the assignment's write (`update conversations set assignee_id`, a durable commit: on this VM its WAL flush
 * is most of that write's tail), reported with the decision as decision_and_write_*. Every 4th pick is for a team,
 * every 8th asks for `senior`.
 *
 * Reference, same run, same pool: a primary-key `select` of one conversation (one round trip).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { connect } from '../apps/server/src/db/database.ts';
import { pickAssignee } from '../apps/server/src/modules/routing/assignment.ts';
import { setupWorkspace, startHuikeServer } from '../scripts/lib/huike-server.ts';
import { clusterUrl } from './lib/cluster.ts';
import { quantile, round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const AGENTS = Number(process.env.HUIKE_BENCH_ASSIGN_AGENTS ?? 200);
const OPEN = Number(process.env.HUIKE_BENCH_ASSIGN_OPEN ?? 10_000);
const PICKS = Number(process.env.HUIKE_BENCH_ASSIGN_PICKS ?? 2_000);
const TEAMS = 5;
const WARM_UP = 50;

export async function run(): Promise<BenchResult> {
  const server = await startHuikeServer();
  try {
    await setupWorkspace(server.origin);
    const { db, pool } = connect(clusterUrl(server.dataDir), 10);
    try {
      const { workspace_id: workspaceId, inbox_id: inboxId } = (
        await pool.query<{ workspace_id: string; inbox_id: string }>(
          'select workspace_id, id as inbox_id from inboxes order by created_at limit 1',
        )
      ).rows[0]!;
      await pool.query(
        `insert into users (id, workspace_id, email, name, role, password_hash)
         select gen_random_uuid(), $1, 'agent' || g || '@bench.huike', '客服' || g, 'agent', 'x'
         from generate_series(1, $2) g`,
        [workspaceId, AGENTS],
      );
      await pool.query(
        `insert into teams (id, workspace_id, name) select gen_random_uuid(), $1, '组' || g from generate_series(1, $2) g`,
        [workspaceId, TEAMS],
      );
      await pool.query(
        `with a as (select id, row_number() over (order by id) as n from users where workspace_id = $1 and role = 'agent'),
              t as (select id, row_number() over (order by id) - 1 as n from teams where workspace_id = $1)
         insert into team_members (workspace_id, team_id, user_id)
         select $1, t.id, a.id from a join t on t.n = a.n % $2`,
        [workspaceId, TEAMS],
      );
      await pool.query(
        `insert into agent_profiles (workspace_id, user_id, presence, resume_presence, capacity, level)
         select $1, id, 'online', 'online', 80, case when row_number() over (order by id) % 4 = 0 then 'senior' else 'standard' end
         from users where workspace_id = $1 and role = 'agent'`,
        [workspaceId],
      );
      const customers = OPEN + PICKS;
      await pool.query(
        `insert into customers (id, workspace_id, name) select gen_random_uuid(), $1, '顾客' || g from generate_series(1, $2) g`,
        [workspaceId, customers],
      );
      // Open conversations, spread over the agents; the first PICKS/2 customers' ones are resolved (they return).
      await pool.query(
        `with c as (select id, row_number() over (order by id) as n from customers where workspace_id = $1),
              a as (select id, row_number() over (order by id) - 1 as n from users where workspace_id = $1 and role = 'agent')
         insert into conversations (id, workspace_id, inbox_id, customer_id, status, assignee_id, last_message_at)
         select gen_random_uuid(), $1, $2, c.id, case when c.n <= $4 / 2 then 'resolved' else 'open' end, a.id,
                now() - (c.n || ' seconds')::interval
         from c join a on a.n = c.n % $3
         where c.n <= $5`,
        [workspaceId, inboxId, AGENTS, PICKS, OPEN],
      );
      // The new conversations: half from returning customers (sticky candidates), half from new ones.
      const fresh = (
        await pool.query<{ id: string; customer_id: string }>(
          `with c as (select id, row_number() over (order by id) as n from customers where workspace_id = $1)
           insert into conversations (id, workspace_id, inbox_id, customer_id, status)
           select gen_random_uuid(), $1, $2, c.id, 'open' from c
           where c.n <= $3 / 2 or c.n > $4
           returning id, customer_id`,
          [workspaceId, inboxId, PICKS, OPEN],
        )
      ).rows;
      // Loading the open conversations in one statement left ~OPEN versions of the 200 profile rows (the load
      // counter's trigger) that no vacuum can move back together; a shop that got there one assignment at a time
      // has a compact table (HOT updates in place). Compacted here; its size after the picks is reported.
      await pool.query('vacuum full agent_profiles');
      await pool.query('vacuum analyze users, agent_profiles, team_members, conversations, customers');
      const teamIds = (
        await pool.query<{ id: string }>('select id from teams where workspace_id = $1', [workspaceId])
      ).rows.map((row) => row.id);

      const times: number[] = [];
      const pickTimes: number[] = [];
      let assigned = 0;
      for (const [i, conversation] of fresh.entries()) {
        const started = performance.now();
        const assigneeId = await pickAssignee(db, {
          workspaceId,
          inboxId,
          teamId: i % 4 === 0 ? teamIds[i % TEAMS] : null,
          customerId: conversation.customer_id,
          requireSkill: i % 8 === 0 ? 'senior' : null,
        });
        const picked = performance.now();
        if (i >= WARM_UP) pickTimes.push(picked - started);
        if (assigneeId) {
          await db.execute(
            sql`update conversations set assignee_id = ${assigneeId} where workspace_id = ${workspaceId} and id = ${conversation.id}`,
          );
          assigned += 1;
        }
        if (i >= WARM_UP) times.push(performance.now() - started);
      }

      const emptyTx: number[] = [];
      for (let i = 0; i < 200; i += 1) {
        const started = performance.now();
        await db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
        });
        if (i >= WARM_UP) emptyTx.push(performance.now() - started);
      }
      const reference: number[] = [];
      for (const [i, conversation] of fresh.entries()) {
        const started = performance.now();
        await pool.query('select id from conversations where id = $1', [conversation.id]);
        if (i >= WARM_UP) reference.push(performance.now() - started);
      }

      const profilePages = (
        await pool.query<{ pages: number }>(`select pg_relation_size('agent_profiles') / 8192 as pages`)
      ).rows[0]!.pages;
      return {
        dataset: {
          agents: AGENTS,
          teams: TEAMS,
          openConversations: OPEN - PICKS / 2,
          picks: fresh.length,
          assigned,
          agentProfilePagesAfterPicks: Number(profilePages),
        },
        metrics: {
          decision_p50_ms: round(quantile(pickTimes, 0.5), 2),
          decision_p99_ms: round(quantile(pickTimes, 0.99), 2),
          decision_and_write_p50_ms: round(quantile(times, 0.5), 2),
          decision_and_write_p99_ms: round(quantile(times, 0.99), 2),
        },
        reference: {
          pk_select_p50_ms: round(quantile(reference, 0.5), 3),
          pk_select_p99_ms: round(quantile(reference, 0.99), 3),
          empty_transaction_p50_ms: round(quantile(emptyTx, 0.5), 3),
        },
        targets: [{ metric: 'decision_p99_ms', op: '<=', value: 5 }],
      };
    } finally {
      await pool.end();
    }
  } finally {
    await server.stop();
  }
}
