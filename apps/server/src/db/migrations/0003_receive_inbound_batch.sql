-- Stores many inbound messages in one transaction (the app batches calls that arrive while others are
-- in flight). Locks every (inbox, customer) of the batch first, in a fixed order, so two batches never
-- wait on each other in a cycle; then stores each item exactly as huike_receive_inbound does.
-- p_items: [{"workspaceId","inboxId","customerId","messageId","newConversationId","content","clientMsgId","preview"}]
create or replace function huike_receive_inbound_batch(p_items jsonb)
returns table (
  ordinal bigint,
  is_duplicate boolean,
  message_id uuid,
  message_content text,
  message_created_at timestamptz,
  conversation_id uuid,
  status text,
  assignee_id uuid,
  team_id uuid,
  snoozed_until timestamptz,
  waiting_since timestamptz,
  last_message_at timestamptz,
  last_message_preview text,
  unread_count integer,
  conversation_created_at timestamptz,
  inbox_name text,
  customer_name text
) language plpgsql as $$
declare
  v_item record;
begin
  perform pg_advisory_xact_lock(k.key)
     from (select distinct hashtext('conversation:' || (e->>'inboxId') || ':' || (e->>'customerId')) as key
             from jsonb_array_elements(p_items) as e
            order by 1) as k;
  for v_item in select e, n from jsonb_array_elements(p_items) with ordinality as t(e, n) order by n loop
    return query
      select v_item.n, r.*
        from huike_receive_inbound(
          (v_item.e->>'workspaceId')::uuid, (v_item.e->>'inboxId')::uuid, (v_item.e->>'customerId')::uuid,
          (v_item.e->>'messageId')::uuid, (v_item.e->>'newConversationId')::uuid, v_item.e->>'content',
          v_item.e->>'clientMsgId', v_item.e->>'preview') as r;
  end loop;
end
$$;
