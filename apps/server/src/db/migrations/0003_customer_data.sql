-- Trigram similarity for substring search indexes.
create extension if not exists pg_trgm;
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bulk_action_targets" (
	"workspace_id" uuid NOT NULL,
	"bulk_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	CONSTRAINT "bulk_action_targets_workspace_id_bulk_id_customer_id_pk" PRIMARY KEY("workspace_id","bulk_id","customer_id")
);
--> statement-breakpoint
CREATE TABLE "conversation_tags" (
	"workspace_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"tag_id" uuid NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversation_tags_workspace_id_conversation_id_tag_id_pk" PRIMARY KEY("workspace_id","conversation_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "customer_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"actor_id" uuid,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_field_definitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"type" text NOT NULL,
	"options" text[] DEFAULT '{}'::text[] NOT NULL,
	"required" boolean DEFAULT false NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"archived" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_merges" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"survivor_id" uuid NOT NULL,
	"merged_id" uuid NOT NULL,
	"performed_by" uuid,
	"snapshot" jsonb NOT NULL,
	"moved" jsonb NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_tags" (
	"workspace_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"tag_id" uuid NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_tags_workspace_id_customer_id_tag_id_pk" PRIMARY KEY("workspace_id","customer_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "file_chunks" (
	"workspace_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "file_chunks_file_id_seq_pk" PRIMARY KEY("file_id","seq")
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"created_by" uuid,
	"name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_rejections" (
	"workspace_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"row" integer NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "import_rejections_workspace_id_import_id_row_pk" PRIMARY KEY("workspace_id","import_id","row")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"file_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"format" text NOT NULL,
	"encoding" text NOT NULL,
	"columns" jsonb NOT NULL,
	"sample_rows" jsonb NOT NULL,
	"suggested_mapping" jsonb NOT NULL,
	"mapping" jsonb,
	"job_id" uuid,
	"committed_row" integer DEFAULT 1 NOT NULL,
	"counts" jsonb DEFAULT '{"created":0,"updated":0,"unchanged":0,"rejected":0}'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"payload" jsonb NOT NULL,
	"checkpoint" jsonb,
	"progress_done" integer DEFAULT 0 NOT NULL,
	"progress_total" integer,
	"result" jsonb,
	"error_code" text,
	"error_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"started_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"order_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"product_name" text NOT NULL,
	"sku" text,
	"quantity" integer NOT NULL,
	"price_fen" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"platform" text NOT NULL,
	"order_no" text NOT NULL,
	"status" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"shipped_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"tracking_company" text,
	"tracking_no" text,
	"buyer_id" text,
	"raw" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"filter" jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tag_groups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"selection" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"parent_id" uuid,
	"name" text NOT NULL,
	"color" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customer_identities" ALTER COLUMN "inbox_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "nickname" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "phones" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "emails" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "gender" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "birthday" date;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "source" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "campaign" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "custom_fields" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "id_card_enc" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "bank_card_enc" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "owner_id" uuid;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "merged_into_id" uuid;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "profile_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "order_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "total_spent_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "first_order_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "last_order_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "rfm_r" smallint;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "rfm_f" smallint;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "rfm_m" smallint;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "rfm_tier" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "lifecycle_stage" text DEFAULT 'prospect' NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "lifecycle_previous_stage" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "lifecycle_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_name" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_text" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_grams" text[];--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_pinyin" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_initials" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_phone" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_phones" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_email" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_emails" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "search_version" smallint;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "tag_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_action_targets" ADD CONSTRAINT "bulk_action_targets_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_tags" ADD CONSTRAINT "conversation_tags_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_tags" ADD CONSTRAINT "conversation_tags_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_tags" ADD CONSTRAINT "conversation_tags_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_tags" ADD CONSTRAINT "conversation_tags_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_events" ADD CONSTRAINT "customer_events_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_events" ADD CONSTRAINT "customer_events_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_events" ADD CONSTRAINT "customer_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_field_definitions" ADD CONSTRAINT "customer_field_definitions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_merges" ADD CONSTRAINT "customer_merges_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_merges" ADD CONSTRAINT "customer_merges_survivor_id_customers_id_fk" FOREIGN KEY ("survivor_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_merges" ADD CONSTRAINT "customer_merges_merged_id_customers_id_fk" FOREIGN KEY ("merged_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_merges" ADD CONSTRAINT "customer_merges_performed_by_users_id_fk" FOREIGN KEY ("performed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_merges" ADD CONSTRAINT "customer_merges_undone_by_users_id_fk" FOREIGN KEY ("undone_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_tags" ADD CONSTRAINT "customer_tags_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_tags" ADD CONSTRAINT "customer_tags_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_tags" ADD CONSTRAINT "customer_tags_tag_id_tags_id_fk" FOREIGN KEY ("tag_id") REFERENCES "public"."tags"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_tags" ADD CONSTRAINT "customer_tags_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "file_chunks" ADD CONSTRAINT "file_chunks_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "file_chunks" ADD CONSTRAINT "file_chunks_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rejections" ADD CONSTRAINT "import_rejections_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rejections" ADD CONSTRAINT "import_rejections_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_items" ADD CONSTRAINT "order_items_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tag_groups" ADD CONSTRAINT "tag_groups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_group_id_tag_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."tag_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tags" ADD CONSTRAINT "tags_parent_id_tags_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."tags"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_workspace_idx" ON "audit_log" USING btree ("workspace_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_id_key" ON "audit_log" USING btree ("id");--> statement-breakpoint
CREATE INDEX "conversation_tags_tag_idx" ON "conversation_tags" USING btree ("workspace_id","tag_id","conversation_id");--> statement-breakpoint
CREATE INDEX "customer_events_customer_idx" ON "customer_events" USING btree ("workspace_id","customer_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "customer_field_definitions_key" ON "customer_field_definitions" USING btree ("workspace_id","key");--> statement-breakpoint
CREATE INDEX "customer_merges_survivor_idx" ON "customer_merges" USING btree ("workspace_id","survivor_id");--> statement-breakpoint
CREATE INDEX "customer_merges_merged_idx" ON "customer_merges" USING btree ("workspace_id","merged_id");--> statement-breakpoint
CREATE INDEX "customer_tags_tag_idx" ON "customer_tags" USING btree ("workspace_id","tag_id","customer_id");--> statement-breakpoint
CREATE INDEX "files_workspace_idx" ON "files" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "imports_workspace_idx" ON "imports" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "jobs_workspace_idx" ON "jobs" USING btree ("workspace_id","created_by","id");--> statement-breakpoint
CREATE INDEX "jobs_pending_idx" ON "jobs" USING btree ("id") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "order_items_order_key" ON "order_items" USING btree ("workspace_id","order_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_platform_order_no_key" ON "orders" USING btree ("workspace_id","platform","order_no");--> statement-breakpoint
CREATE INDEX "orders_customer_idx" ON "orders" USING btree ("workspace_id","customer_id","placed_at");--> statement-breakpoint
CREATE INDEX "orders_placed_idx" ON "orders" USING btree ("workspace_id","placed_at","id");--> statement-breakpoint
CREATE INDEX "orders_order_no_idx" ON "orders" USING btree ("workspace_id","order_no" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "orders_tracking_no_idx" ON "orders" USING btree ("workspace_id","tracking_no" text_pattern_ops) WHERE tracking_no is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "segments_workspace_name_key" ON "segments" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "tag_groups_workspace_name_key" ON "tag_groups" USING btree ("workspace_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "tags_group_name_key" ON "tags" USING btree ("workspace_id","group_id","name");--> statement-breakpoint
CREATE INDEX "tags_parent_idx" ON "tags" USING btree ("workspace_id","parent_id");--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_identities_global_key" ON "customer_identities" USING btree ("workspace_id","kind","external_id") WHERE inbox_id is null;--> statement-breakpoint
CREATE INDEX "customers_search_name_idx" ON "customers" USING btree ("workspace_id","search_name" text_pattern_ops,"id");--> statement-breakpoint
CREATE INDEX "customers_search_pinyin_idx" ON "customers" USING btree ("workspace_id","search_pinyin" text_pattern_ops,"id");--> statement-breakpoint
CREATE INDEX "customers_search_initials_idx" ON "customers" USING btree ("workspace_id","search_initials" text_pattern_ops,"id");--> statement-breakpoint
CREATE INDEX "customers_search_phone_idx" ON "customers" USING btree ("workspace_id","search_phone" text_pattern_ops,"id");--> statement-breakpoint
CREATE INDEX "customers_search_email_idx" ON "customers" USING btree ("workspace_id","search_email" text_pattern_ops,"id");--> statement-breakpoint
CREATE INDEX "customers_search_grams_idx" ON "customers" USING gin ("search_grams") WITH (gin_pending_list_limit=128);--> statement-breakpoint
CREATE INDEX "customers_search_phones_idx" ON "customers" USING gin ("search_phones" gin_trgm_ops) WITH (gin_pending_list_limit=128);--> statement-breakpoint
CREATE INDEX "customers_search_emails_idx" ON "customers" USING gin ("search_emails" gin_trgm_ops) WITH (gin_pending_list_limit=128);--> statement-breakpoint
CREATE INDEX "customers_search_pending_idx" ON "customers" USING btree ("id") WHERE search_version is null;--> statement-breakpoint
CREATE INDEX "customers_merged_into_idx" ON "customers" USING btree ("workspace_id","merged_into_id") WHERE merged_into_id is not null;--> statement-breakpoint
CREATE INDEX "customers_segment_rfm_idx" ON "customers" USING btree ("workspace_id","rfm_tier","id") WHERE merged_into_id is null;--> statement-breakpoint
CREATE INDEX "customers_tag_ids_idx" ON "customers" USING gin ("tag_ids");--> statement-breakpoint
CREATE INDEX "customers_phone_idx" ON "customers" USING btree ("workspace_id","phone");--> statement-breakpoint
CREATE INDEX "customers_email_idx" ON "customers" USING btree ("workspace_id",lower("email"));--> statement-breakpoint
CREATE INDEX "customers_other_phones_idx" ON "customers" USING gin ("phones") WHERE "customers"."phones" <> '{}'::text[];
--> statement-breakpoint
-- Name similarity for duplicate detection. pg_trgm ignores CJK characters under the C locale the embedded
-- cluster uses, so names are compared by their characters and character pairs instead (Jaccard):
-- 张三 / 张三丰 = 0.6, 张三 / 张四 = 0.2, 王小明 / 王晓明 = 0.25. Spaces and case are ignored.
create or replace function huike_name_grams(t text) returns text[]
  language sql immutable parallel safe
as $$
  select coalesce(array_agg(distinct g), '{}')
    from (select lower(regexp_replace(coalesce(t, ''), '\s+', '', 'g')) as s) x,
         lateral (select substr(x.s, i, 1) as g from generate_series(1, char_length(x.s)) i
                  union all
                  select substr(x.s, i, 2) from generate_series(1, char_length(x.s) - 1) i) grams
$$;
--> statement-breakpoint
create or replace function huike_name_similarity(a text, b text) returns real
  language sql immutable parallel safe
as $$
  select case when cardinality(ga) = 0 or cardinality(gb) = 0 then 0::real
              else common::real / (cardinality(ga) + cardinality(gb) - common)::real end
    from (select ga, gb, (select count(*) from unnest(ga) g where g = any(gb))::int as common
            from (select huike_name_grams(a) as ga, huike_name_grams(b) as gb) p) s
$$;
--> statement-breakpoint
-- The audit log is append-only: an UPDATE is refused so history cannot be rewritten in place.
-- (Deleting a whole workspace still cascades; deleting single rows breaks the hash chain, which verification reports.)
CREATE FUNCTION huike_audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION huike_audit_log_immutable();
--> statement-breakpoint
-- customers.tag_ids mirrors customer_tags: segment tag conditions test it through its GIN index (a bitmap AND
-- of compressed posting lists instead of joining hundreds of thousands of customer_tags rows per condition).
-- Statement-level triggers recompute the touched customers' arrays from customer_tags, so a bulk tagging
-- statement costs one UPDATE, and every writer (tag API, bulk jobs, imports, merges, cascades) stays in sync.
CREATE FUNCTION huike_sync_customer_tag_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT customer_id) INTO touched FROM huike_tags_new;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT customer_id) INTO touched FROM huike_tags_old;
  ELSE
    SELECT array_agg(DISTINCT customer_id) INTO touched
    FROM (SELECT customer_id FROM huike_tags_new UNION SELECT customer_id FROM huike_tags_old) changed;
  END IF;
  IF touched IS NULL THEN
    RETURN NULL;
  END IF;
  UPDATE customers c
  SET tag_ids = s.tag_ids
  FROM (
    SELECT c2.id, coalesce(
      (SELECT array_agg(ct.tag_id ORDER BY ct.tag_id) FROM customer_tags ct
        WHERE ct.workspace_id = c2.workspace_id AND ct.customer_id = c2.id),
      '{}'::uuid[]) AS tag_ids
    FROM customers c2 WHERE c2.id = ANY (touched)
  ) s
  WHERE c.id = s.id AND c.tag_ids IS DISTINCT FROM s.tag_ids;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER customer_tags_sync_insert AFTER INSERT ON customer_tags
  REFERENCING NEW TABLE AS huike_tags_new FOR EACH STATEMENT EXECUTE FUNCTION huike_sync_customer_tag_ids();
--> statement-breakpoint
CREATE TRIGGER customer_tags_sync_delete AFTER DELETE ON customer_tags
  REFERENCING OLD TABLE AS huike_tags_old FOR EACH STATEMENT EXECUTE FUNCTION huike_sync_customer_tag_ids();
--> statement-breakpoint
CREATE TRIGGER customer_tags_sync_update AFTER UPDATE ON customer_tags
  REFERENCING OLD TABLE AS huike_tags_old NEW TABLE AS huike_tags_new
  FOR EACH STATEMENT EXECUTE FUNCTION huike_sync_customer_tag_ids();
--> statement-breakpoint
-- Customer rows are rewritten often (value recompute, tag mirror, profile edits): free space on each page lets
-- PostgreSQL keep an updated row on its page (measured at 100k: 2.4x faster recompute batches, 14x less WAL).
ALTER TABLE "customers" SET (fillfactor = 70);
