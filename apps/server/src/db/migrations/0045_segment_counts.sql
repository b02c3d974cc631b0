ALTER TABLE "segments" ADD COLUMN "customer_count" integer;--> statement-breakpoint
ALTER TABLE "segments" ADD COLUMN "counted_at" timestamp with time zone;