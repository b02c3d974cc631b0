CREATE TABLE "reporting_daily_rollups" (
	"workspace_id" uuid NOT NULL,
	"day" date NOT NULL,
	"inbox_id" uuid,
	"team_id" uuid,
	"agent_id" uuid,
	"kind" text NOT NULL,
	"dim" text DEFAULT '' NOT NULL,
	"count" integer NOT NULL,
	"sum" double precision DEFAULT 0 NOT NULL,
	"business_sum" double precision DEFAULT 0 NOT NULL,
	"hist_buckets" smallint[] DEFAULT '{}' NOT NULL,
	"hist_counts" integer[] DEFAULT '{}' NOT NULL,
	"business_hist_buckets" smallint[] DEFAULT '{}' NOT NULL,
	"business_hist_counts" integer[] DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reporting_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"fact_key" text NOT NULL,
	"conversation_id" uuid,
	"ticket_id" uuid,
	"inbox_id" uuid,
	"team_id" uuid,
	"agent_id" uuid,
	"customer_id" uuid,
	"dim" text DEFAULT '' NOT NULL,
	"value" double precision,
	"business_value" double precision,
	"extra" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reporting_hourly_rollups" (
	"workspace_id" uuid NOT NULL,
	"day" date NOT NULL,
	"hour" smallint NOT NULL,
	"inbox_id" uuid,
	"team_id" uuid,
	"agent_id" uuid,
	"kind" text NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reporting_rollup_days" (
	"workspace_id" uuid NOT NULL,
	"day" date NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reporting_rollup_days_workspace_id_day_pk" PRIMARY KEY("workspace_id","day")
);
--> statement-breakpoint
ALTER TABLE "reporting_daily_rollups" ADD CONSTRAINT "reporting_daily_rollups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_events" ADD CONSTRAINT "reporting_events_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_hourly_rollups" ADD CONSTRAINT "reporting_hourly_rollups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_rollup_days" ADD CONSTRAINT "reporting_rollup_days_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reporting_daily_rollups_day_idx" ON "reporting_daily_rollups" USING btree ("workspace_id","day","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "reporting_events_fact_key" ON "reporting_events" USING btree ("workspace_id","kind","fact_key");--> statement-breakpoint
CREATE INDEX "reporting_events_time_idx" ON "reporting_events" USING btree ("workspace_id","occurred_at");--> statement-breakpoint
CREATE INDEX "reporting_events_conversation_idx" ON "reporting_events" USING btree ("workspace_id","conversation_id") WHERE conversation_id is not null;--> statement-breakpoint
CREATE INDEX "reporting_events_customer_idx" ON "reporting_events" USING btree ("workspace_id","customer_id","occurred_at") WHERE customer_id is not null;--> statement-breakpoint
CREATE INDEX "reporting_hourly_rollups_day_idx" ON "reporting_hourly_rollups" USING btree ("workspace_id","day");