-- Why an SMS campaign's send to one recipient failed as a code and its values ({"code":"sms.not_delivered",
-- "params":{"providerCode":"MK:0001"}}), next to the Chinese sentence kept in error, so every reader sees it in their
-- own language. Older rows keep only their text (null here).
ALTER TABLE "sms_campaign_recipients" ADD COLUMN "reason" jsonb;
