ALTER TABLE "import_rejections" ADD COLUMN "issues" jsonb;--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "locale" text;