ALTER TABLE "files" ADD COLUMN "purpose" text DEFAULT 'working' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "attachments" jsonb DEFAULT '[]'::jsonb NOT NULL;