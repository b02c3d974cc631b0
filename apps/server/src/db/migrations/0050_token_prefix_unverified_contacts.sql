ALTER TABLE "api_tokens" ADD COLUMN "token_prefix" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "unverified_contacts" text[] DEFAULT '{}'::text[] NOT NULL;