CREATE TABLE "reporting_monthly_rollups" (
	"workspace_id" uuid NOT NULL,
	"month" date NOT NULL,
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
CREATE TABLE "reporting_rollup_months" (
	"workspace_id" uuid NOT NULL,
	"month" date NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reporting_rollup_months_workspace_id_month_pk" PRIMARY KEY("workspace_id","month")
);
--> statement-breakpoint
ALTER TABLE "reporting_monthly_rollups" ADD CONSTRAINT "reporting_monthly_rollups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_rollup_months" ADD CONSTRAINT "reporting_rollup_months_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reporting_monthly_rollups_month_idx" ON "reporting_monthly_rollups" USING btree ("workspace_id","month","kind");