-- Why a delivery failed as a code and its values ({"code":"delivery.http_status","params":{"status":410}}), next to
-- the Chinese sentence kept in delivery_error / last_error, so every reader sees it in their own language. Older rows
-- keep only their text (null here) and are shown as they are.
ALTER TABLE "deliveries" ADD COLUMN "last_reason" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "delivery_reason" jsonb;