/**
 * sla-sweep: how long one SLA breach sweep takes over a busy desk (issue 5: 100,000 open tickets in ≤ 2 s).
 *
 * A fresh server (embedded PostgreSQL, migrated); straight into its database: TICKETS open tickets with running
 * first-response, resolution and escalation clocks (due times spread over the coming days), of which DUE have a
 * clock already past due (breach not yet recorded), and a tenth waiting on the customer (resolution paused).
 * Timed in this process: the tickets module's `sweepSla()` — per clock an index range scan of the running due
 * times, `update … where breached_at is null returning` in batches, a timeline entry per breach, the escalation
 * action, events and notifications — once with the DUE breaches to record, and again when nothing is due (the
 * cost every 30 s on a quiet desk). One warm-up sweep runs before the clocks are made due.
 *
 * Reference, same run, same pool: a plain `select count(*)` of the open tickets.
 * (The server's own 30-second sweep may record a few of the breaches first; `breaches_recorded` counts both.)
 */
import { performance } from 'node:perf_hooks';
import { connect } from '../apps/server/src/db/database.ts';
import { createAuditService } from '../apps/server/src/modules/audit/index.ts';
import { createTicketsService } from '../apps/server/src/modules/tickets/index.ts';
import { createEventBus } from '../apps/server/src/platform/events.ts';
import { createFiles } from '../apps/server/src/platform/files.ts';
import type { Realtime } from '../apps/server/src/platform/realtime.ts';
import { setupWorkspace, startHuikeServer } from '../scripts/lib/huike-server.ts';
import { clusterUrl } from './lib/cluster.ts';
import { round } from './lib/stats.ts';
import type { BenchResult } from './lib/types.ts';

const TICKETS = Number(process.env.HUIKE_BENCH_SLA_TICKETS ?? 100_000);
const DUE = Number(process.env.HUIKE_BENCH_SLA_DUE ?? Math.round(TICKETS / 100));
const REFERENCE_RUNS = 5;

export async function run(): Promise<BenchResult> {
  const server = await startHuikeServer();
  try {
    await setupWorkspace(server.origin);
    const { db, pool } = connect(clusterUrl(server.dataDir), 10);
    try {
      const {
        workspace_id: workspaceId,
        inbox_id: inboxId,
        owner_id: ownerId,
      } = (
        await pool.query<{ workspace_id: string; inbox_id: string; owner_id: string }>(
          `select i.workspace_id, i.id as inbox_id, (select id from users u where u.workspace_id = i.workspace_id
             and u.role = 'owner' limit 1) as owner_id
           from inboxes i order by i.created_at limit 1`,
        )
      ).rows[0]!;
      const policyId = (
        await pool.query<{ id: string }>(
          `insert into sla_policies (id, workspace_id, name, first_response_minutes, resolution_minutes,
             escalation_minutes, hours, escalation)
           values (gen_random_uuid(), $1, '投诉4小时升级主管', 60, 1440, 240, 'calendar',
             '{"notifySupervisors": true, "assigneeId": null, "teamId": null, "raiseSeverity": true}')
           returning id`,
          [workspaceId],
        )
      ).rows[0]!.id;
      // Open tickets with three running clocks due over the next days; every 10th waits on the customer.
      await pool.query(
        `insert into tickets (id, workspace_id, number, subject, category, severity, status, inbox_id, assignee_id,
           sla_policy_id, sla_started_at,
           fr_target_seconds, fr_due_at, res_target_seconds, res_due_at, res_paused_remaining,
           esc_target_seconds, esc_due_at, created_at, updated_at)
         select gen_random_uuid(), $1, g, '工单 ' || g, (array['inquiry','logistics','return','complaint','other'])[1 + g % 5],
           'normal', case when g % 10 = 0 then 'waiting_customer' else 'open' end, $2, $3, $4, now(),
           3600, now() + ((g % 5000) || ' minutes')::interval,
           86400, case when g % 10 = 0 then null else now() + ((1000 + g % 5000) || ' minutes')::interval end,
           case when g % 10 = 0 then 50000 end,
           14400, now() + ((240 + g % 5000) || ' minutes')::interval, now(), now()
         from generate_series(1, $5) g`,
        [workspaceId, inboxId, ownerId, policyId, TICKETS],
      );
      const events = createEventBus(() => {});
      const realtime = { broadcast: async () => {} } as unknown as Realtime;
      const tickets = createTicketsService({
        db,
        events,
        audit: createAuditService({ db }),
        files: createFiles({ db }),
        realtime,
        log: (error) => console.error(error),
      });

      // Warm-up on the same data with nothing due (the server sweeps every 30 s, so its code and pool are warm).
      await tickets.sweepSla();

      // DUE of them have a clock past due (a third each: first response, resolution, escalation).
      await pool.query(
        `with due as (select id, row_number() over (order by id) as n from tickets
                       where workspace_id = $1 and status = 'open' order by id limit $2)
         update tickets t set
           fr_due_at = case when due.n % 3 = 0 then now() - interval '1 minute' else t.fr_due_at end,
           res_due_at = case when due.n % 3 = 1 then now() - interval '1 minute' else t.res_due_at end,
           esc_due_at = case when due.n % 3 = 2 then now() - interval '1 minute' else t.esc_due_at end
         from due where t.id = due.id`,
        [workspaceId, DUE],
      );
      await pool.query('vacuum analyze tickets');

      let started = performance.now();
      const recorded = await tickets.sweepSla();
      const sweepMs = performance.now() - started;
      started = performance.now();
      const again = await tickets.sweepSla();
      const idleMs = performance.now() - started;
      const breached = (
        await pool.query<{ n: number }>(
          `select count(*)::int as n from tickets where workspace_id = $1
             and (fr_breached_at is not null or res_breached_at is not null or esc_breached_at is not null)`,
          [workspaceId],
        )
      ).rows[0]!.n;

      const reference: number[] = [];
      for (let i = 0; i < REFERENCE_RUNS; i++) {
        const t = performance.now();
        await pool.query(
          `select count(*) from tickets where workspace_id = $1 and status not in ('resolved', 'closed')`,
          [workspaceId],
        );
        reference.push(performance.now() - t);
      }
      reference.sort((a, b) => a - b);

      return {
        dataset: { openTickets: TICKETS, due: DUE, recordedBySweep: recorded, secondSweep: again },
        metrics: {
          sweep_ms: round(sweepMs, 1),
          sweep_idle_ms: round(idleMs, 1),
          breaches_recorded: breached,
        },
        reference: { count_open_ms: round(reference[Math.floor(reference.length / 2)]!, 1) },
        targets: [
          { metric: 'sweep_ms', op: '<=', value: 2000 },
          { metric: 'breaches_recorded', op: '>=', value: DUE, rule: '= every due clock recorded once' },
        ],
      };
    } finally {
      await pool.end();
    }
  } finally {
    await server.stop();
  }
}
