ALTER TABLE "conversations" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
-- Conversations resolved before the column existed: their last update is the best time known (the timeline used it).
UPDATE "conversations" SET "resolved_at" = "updated_at" WHERE "status" = 'resolved';
