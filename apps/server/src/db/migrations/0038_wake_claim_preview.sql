-- Issue fixes from an agent's day in the inbox:
-- - conversations.snoozed_by: who snoozed it, so a conversation nobody is assigned to tells that person when it wakes.
-- - alerts.recipient_id: the bell also carries notifications for one user (kind snooze_ended); supervisor alerts keep
--   it null.
-- - Data fix: a list preview shows what the customer or an agent said (or a bot's answer), never the system line
--   written after it (the bot's hand-off notice, a survey invitation). Conversations whose latest public message is a
--   system line get the preview of their latest other public message back, computed as the server does
--   (whitespace folded, 120 characters, [图片] / [文件] name for attachments only).
ALTER TABLE "alerts" ADD COLUMN "recipient_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "snoozed_by" uuid;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_recipient_id_users_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_snoozed_by_users_id_fk" FOREIGN KEY ("snoozed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_recipient_idx" ON "alerts" USING btree ("workspace_id","recipient_id","id") WHERE recipient_id is not null;--> statement-breakpoint
UPDATE "conversations" c SET "last_message_preview" = human.preview
FROM "conversations" target
CROSS JOIN LATERAL (
  SELECT m.sender_kind FROM "messages" m
  WHERE m.workspace_id = target.workspace_id AND m.conversation_id = target.id AND NOT m.private
  ORDER BY m.id DESC LIMIT 1
) latest
CROSS JOIN LATERAL (
  SELECT CASE
    WHEN btrim(regexp_replace(m.content, '\s+', ' ', 'g')) = '' AND jsonb_array_length(m.attachments) > 0 THEN
      CASE WHEN NOT EXISTS (
        SELECT 1 FROM jsonb_array_elements(m.attachments) a WHERE coalesce(a->>'contentType', '') NOT LIKE 'image/%'
      ) THEN '[图片]' ELSE left('[文件] ' || coalesce(m.attachments->0->>'name', ''), 120) END
    ELSE left(regexp_replace(m.content, '\s+', ' ', 'g'), 120)
  END AS preview
  FROM "messages" m
  WHERE m.workspace_id = target.workspace_id AND m.conversation_id = target.id AND NOT m.private
    AND m.sender_kind <> 'system'
  ORDER BY m.id DESC LIMIT 1
) human
WHERE c.id = target.id AND latest.sender_kind = 'system'
  AND c.last_message_preview IS DISTINCT FROM human.preview;
