-- Cancelling a job (POST /api/v1/jobs/:id/cancel): a queued job ends at once; a running one is marked here and stops
-- at its next checkpoint. status gains 'cancelled' (a text column: no SQL needed for it).
ALTER TABLE "jobs" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "cancel_requested_by" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_cancel_requested_by_users_id_fk" FOREIGN KEY ("cancel_requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;