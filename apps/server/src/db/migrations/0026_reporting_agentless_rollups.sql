-- The service report now reads the least detailed rollup rows its filters allow. The rollup job writes, next to the
-- per-(inbox, team, agent) rows: `all:<kind>` summed over agents (per inbox and team), `total:<kind>` for the whole
-- workspace, `agent:<kind>` per agent alone (the leaderboard's kinds), and per month `all:heat:` and `total:heat:`.
-- The days and months rolled up before get the same rows here, merged from their per-agent rows (histograms
-- bucket by bucket, as rebuildMonth merges days).
WITH r AS (
  SELECT workspace_id, day, coalesce(inbox_id, '00000000-0000-0000-0000-000000000000'::uuid) AS inbox_id, coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid) AS team_id, '00000000-0000-0000-0000-000000000000'::uuid AS agent_id, kind, dim, count, sum, business_sum,
    hist_buckets, hist_counts, business_hist_buckets, business_hist_counts
  FROM reporting_daily_rollups WHERE kind NOT LIKE '%:%'
),
g AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, sum(count)::int AS count, sum(sum) AS sum, sum(business_sum) AS business_sum
  FROM r GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
),
h AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(hist_buckets, hist_counts) AS u(b, n) GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
),
bh AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(business_hist_buckets, business_hist_counts) AS u(b, n) GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
)
INSERT INTO reporting_daily_rollups (workspace_id, day, inbox_id, team_id, agent_id, kind, dim, count, sum, business_sum,
  hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
SELECT g.workspace_id, g.day, nullif(g.inbox_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.team_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.agent_id, '00000000-0000-0000-0000-000000000000'::uuid),
  'all:' || g.kind, g.dim, g.count, g.sum, g.business_sum,
  coalesce(h.hb, '{}'), coalesce(h.hn, '{}'), coalesce(bh.hb, '{}'), coalesce(bh.hn, '{}')
FROM g
LEFT JOIN h USING (workspace_id, day, inbox_id, team_id, agent_id, kind, dim)
LEFT JOIN bh USING (workspace_id, day, inbox_id, team_id, agent_id, kind, dim);
--> statement-breakpoint
WITH r AS (
  SELECT workspace_id, day, '00000000-0000-0000-0000-000000000000'::uuid AS inbox_id, '00000000-0000-0000-0000-000000000000'::uuid AS team_id, '00000000-0000-0000-0000-000000000000'::uuid AS agent_id, kind, dim, count, sum, business_sum,
    hist_buckets, hist_counts, business_hist_buckets, business_hist_counts
  FROM reporting_daily_rollups WHERE kind NOT LIKE '%:%'
),
g AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, sum(count)::int AS count, sum(sum) AS sum, sum(business_sum) AS business_sum
  FROM r GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
),
h AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(hist_buckets, hist_counts) AS u(b, n) GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
),
bh AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(business_hist_buckets, business_hist_counts) AS u(b, n) GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
)
INSERT INTO reporting_daily_rollups (workspace_id, day, inbox_id, team_id, agent_id, kind, dim, count, sum, business_sum,
  hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
SELECT g.workspace_id, g.day, nullif(g.inbox_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.team_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.agent_id, '00000000-0000-0000-0000-000000000000'::uuid),
  'total:' || g.kind, g.dim, g.count, g.sum, g.business_sum,
  coalesce(h.hb, '{}'), coalesce(h.hn, '{}'), coalesce(bh.hb, '{}'), coalesce(bh.hn, '{}')
FROM g
LEFT JOIN h USING (workspace_id, day, inbox_id, team_id, agent_id, kind, dim)
LEFT JOIN bh USING (workspace_id, day, inbox_id, team_id, agent_id, kind, dim);
--> statement-breakpoint
WITH r AS (
  SELECT workspace_id, day, '00000000-0000-0000-0000-000000000000'::uuid AS inbox_id, '00000000-0000-0000-0000-000000000000'::uuid AS team_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid) AS agent_id, kind, dim, count, sum, business_sum,
    hist_buckets, hist_counts, business_hist_buckets, business_hist_counts
  FROM reporting_daily_rollups WHERE kind IN ('conversation_resolved', 'csat', 'first_response') AND agent_id IS NOT NULL
),
g AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, sum(count)::int AS count, sum(sum) AS sum, sum(business_sum) AS business_sum
  FROM r GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
),
h AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(hist_buckets, hist_counts) AS u(b, n) GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
),
bh AS (
  SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(business_hist_buckets, business_hist_counts) AS u(b, n) GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, day, inbox_id, team_id, agent_id, kind, dim
)
INSERT INTO reporting_daily_rollups (workspace_id, day, inbox_id, team_id, agent_id, kind, dim, count, sum, business_sum,
  hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
SELECT g.workspace_id, g.day, nullif(g.inbox_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.team_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.agent_id, '00000000-0000-0000-0000-000000000000'::uuid),
  'agent:' || g.kind, g.dim, g.count, g.sum, g.business_sum,
  coalesce(h.hb, '{}'), coalesce(h.hn, '{}'), coalesce(bh.hb, '{}'), coalesce(bh.hn, '{}')
FROM g
LEFT JOIN h USING (workspace_id, day, inbox_id, team_id, agent_id, kind, dim)
LEFT JOIN bh USING (workspace_id, day, inbox_id, team_id, agent_id, kind, dim);
--> statement-breakpoint
WITH r AS (
  SELECT workspace_id, month, coalesce(inbox_id, '00000000-0000-0000-0000-000000000000'::uuid) AS inbox_id, coalesce(team_id, '00000000-0000-0000-0000-000000000000'::uuid) AS team_id, '00000000-0000-0000-0000-000000000000'::uuid AS agent_id, kind, dim, count, sum, business_sum,
    hist_buckets, hist_counts, business_hist_buckets, business_hist_counts
  FROM reporting_monthly_rollups WHERE kind NOT LIKE '%:%'
),
g AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, sum(count)::int AS count, sum(sum) AS sum, sum(business_sum) AS business_sum
  FROM r GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
),
h AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(hist_buckets, hist_counts) AS u(b, n) GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
),
bh AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(business_hist_buckets, business_hist_counts) AS u(b, n) GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
)
INSERT INTO reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count, sum, business_sum,
  hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
SELECT g.workspace_id, g.month, nullif(g.inbox_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.team_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.agent_id, '00000000-0000-0000-0000-000000000000'::uuid),
  'all:' || g.kind, g.dim, g.count, g.sum, g.business_sum,
  coalesce(h.hb, '{}'), coalesce(h.hn, '{}'), coalesce(bh.hb, '{}'), coalesce(bh.hn, '{}')
FROM g
LEFT JOIN h USING (workspace_id, month, inbox_id, team_id, agent_id, kind, dim)
LEFT JOIN bh USING (workspace_id, month, inbox_id, team_id, agent_id, kind, dim);
--> statement-breakpoint
WITH r AS (
  SELECT workspace_id, month, '00000000-0000-0000-0000-000000000000'::uuid AS inbox_id, '00000000-0000-0000-0000-000000000000'::uuid AS team_id, '00000000-0000-0000-0000-000000000000'::uuid AS agent_id, kind, dim, count, sum, business_sum,
    hist_buckets, hist_counts, business_hist_buckets, business_hist_counts
  FROM reporting_monthly_rollups WHERE kind NOT LIKE '%:%'
),
g AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, sum(count)::int AS count, sum(sum) AS sum, sum(business_sum) AS business_sum
  FROM r GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
),
h AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(hist_buckets, hist_counts) AS u(b, n) GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
),
bh AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(business_hist_buckets, business_hist_counts) AS u(b, n) GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
)
INSERT INTO reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count, sum, business_sum,
  hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
SELECT g.workspace_id, g.month, nullif(g.inbox_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.team_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.agent_id, '00000000-0000-0000-0000-000000000000'::uuid),
  'total:' || g.kind, g.dim, g.count, g.sum, g.business_sum,
  coalesce(h.hb, '{}'), coalesce(h.hn, '{}'), coalesce(bh.hb, '{}'), coalesce(bh.hn, '{}')
FROM g
LEFT JOIN h USING (workspace_id, month, inbox_id, team_id, agent_id, kind, dim)
LEFT JOIN bh USING (workspace_id, month, inbox_id, team_id, agent_id, kind, dim);
--> statement-breakpoint
WITH r AS (
  SELECT workspace_id, month, '00000000-0000-0000-0000-000000000000'::uuid AS inbox_id, '00000000-0000-0000-0000-000000000000'::uuid AS team_id, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'::uuid) AS agent_id, kind, dim, count, sum, business_sum,
    hist_buckets, hist_counts, business_hist_buckets, business_hist_counts
  FROM reporting_monthly_rollups WHERE kind IN ('conversation_resolved', 'csat', 'first_response') AND agent_id IS NOT NULL
),
g AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, sum(count)::int AS count, sum(sum) AS sum, sum(business_sum) AS business_sum
  FROM r GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
),
h AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(hist_buckets, hist_counts) AS u(b, n) GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
),
bh AS (
  SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, array_agg(b ORDER BY b) AS hb, array_agg(n ORDER BY b) AS hn
  FROM (SELECT workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b, sum(u.n)::int AS n
        FROM r CROSS JOIN LATERAL unnest(business_hist_buckets, business_hist_counts) AS u(b, n) GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim, u.b) x
  GROUP BY workspace_id, month, inbox_id, team_id, agent_id, kind, dim
)
INSERT INTO reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count, sum, business_sum,
  hist_buckets, hist_counts, business_hist_buckets, business_hist_counts)
SELECT g.workspace_id, g.month, nullif(g.inbox_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.team_id, '00000000-0000-0000-0000-000000000000'::uuid), nullif(g.agent_id, '00000000-0000-0000-0000-000000000000'::uuid),
  'agent:' || g.kind, g.dim, g.count, g.sum, g.business_sum,
  coalesce(h.hb, '{}'), coalesce(h.hn, '{}'), coalesce(bh.hb, '{}'), coalesce(bh.hn, '{}')
FROM g
LEFT JOIN h USING (workspace_id, month, inbox_id, team_id, agent_id, kind, dim)
LEFT JOIN bh USING (workspace_id, month, inbox_id, team_id, agent_id, kind, dim);
--> statement-breakpoint
INSERT INTO reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count)
SELECT workspace_id, month, inbox_id, team_id, NULL, 'all:' || kind, dim, sum(count)::int
FROM reporting_monthly_rollups WHERE kind LIKE 'heat:%'
GROUP BY workspace_id, month, inbox_id, team_id, kind, dim;
--> statement-breakpoint
INSERT INTO reporting_monthly_rollups (workspace_id, month, inbox_id, team_id, agent_id, kind, dim, count)
SELECT workspace_id, month, NULL, NULL, NULL, 'total:' || kind, dim, sum(count)::int
FROM reporting_monthly_rollups WHERE kind LIKE 'heat:%'
GROUP BY workspace_id, month, kind, dim;
