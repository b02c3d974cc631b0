CREATE TABLE "keyword_replies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"keywords" text[] NOT NULL,
	"normalized_keywords" text[] NOT NULL,
	"match_mode" text NOT NULL,
	"template_id" uuid,
	"reply_text" text,
	"inbox_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"hours" text DEFAULT 'always' NOT NULL,
	"frequency" text DEFAULT 'every_time' NOT NULL,
	"cooldown_minutes" integer,
	"priority" integer DEFAULT 100 NOT NULL,
	"stop_other_rules" boolean DEFAULT false NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"hit_count" bigint DEFAULT 0 NOT NULL,
	"last_hit_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "keyword_reply_hits" (
	"workspace_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "keyword_reply_hits_rule_id_message_id_pk" PRIMARY KEY("rule_id","message_id")
);
--> statement-breakpoint
ALTER TABLE "keyword_replies" ADD CONSTRAINT "keyword_replies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyword_replies" ADD CONSTRAINT "keyword_replies_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyword_reply_hits" ADD CONSTRAINT "keyword_reply_hits_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyword_reply_hits" ADD CONSTRAINT "keyword_reply_hits_rule_id_keyword_replies_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."keyword_replies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "keyword_reply_hits" ADD CONSTRAINT "keyword_reply_hits_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "keyword_replies_workspace_idx" ON "keyword_replies" USING btree ("workspace_id","priority");--> statement-breakpoint
CREATE INDEX "keyword_reply_hits_conversation_idx" ON "keyword_reply_hits" USING btree ("workspace_id","conversation_id","rule_id","created_at");