DROP INDEX "conversations_list_idx";--> statement-breakpoint
CREATE INDEX "conversations_list_idx" ON "conversations" USING btree ("workspace_id","status");--> statement-breakpoint
-- Leave room on each page so updates of a conversation stay on its page (HOT).
ALTER TABLE "conversations" SET (fillfactor = 80);
