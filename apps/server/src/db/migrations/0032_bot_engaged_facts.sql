-- The bot's rates now divide by the conversations it engaged (answered or handed off, `bot_engaged`), not by those
-- it answered: it hands some off without answering, and the hand-off rate went above 100%. Backfill the fact from
-- the existing ones, then let the days and months that hold it read raw facts until the rollup sweep rebuilds them.
INSERT INTO "reporting_events" ("id", "workspace_id", "occurred_at", "kind", "fact_key", "conversation_id", "inbox_id",
  "team_id", "customer_id")
SELECT DISTINCT ON ("workspace_id", "fact_key") gen_random_uuid(), "workspace_id", "occurred_at", 'bot_engaged',
  "fact_key", "conversation_id", "inbox_id", "team_id", "customer_id"
FROM "reporting_events"
WHERE "kind" IN ('bot_answered', 'bot_handed_off')
ORDER BY "workspace_id", "fact_key", "occurred_at"
ON CONFLICT DO NOTHING;--> statement-breakpoint
DELETE FROM "reporting_rollup_days" d
USING "reporting_events" e, "workspaces" w
WHERE e."kind" = 'bot_engaged' AND w."id" = e."workspace_id" AND d."workspace_id" = e."workspace_id"
  AND d."day" = (e."occurred_at" AT TIME ZONE w."timezone")::date;--> statement-breakpoint
DELETE FROM "reporting_rollup_months" m
USING "reporting_events" e, "workspaces" w
WHERE e."kind" = 'bot_engaged' AND w."id" = e."workspace_id" AND m."workspace_id" = e."workspace_id"
  AND m."month" = date_trunc('month', (e."occurred_at" AT TIME ZONE w."timezone"))::date;
