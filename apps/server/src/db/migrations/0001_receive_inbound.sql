-- The hottest path of the product, in SQL: inbound customer messages are stored in batches (the app groups
-- calls that arrive while others are in flight; an idle server sends batches of one). Per message only the
-- writes (huike_store_inbound); the rows the API shows are read once per batch with one set-based query.

-- Stores one inbound message: answers the stored message's id for a repeated client_msg_id (so a caller
-- sees a duplicate as an id other than the one it proposed), joins the customer's active conversation
-- (reopening pending/snoozed) or opens one. The caller holds the (inbox, customer) lock.
create or replace function huike_store_inbound(
  p_workspace_id uuid,
  p_inbox_id uuid,
  p_customer_id uuid,
  p_message_id uuid,
  p_new_conversation_id uuid,
  p_content text,
  p_client_msg_id text,
  p_preview text
) returns uuid language plpgsql as $$
declare
  v_existing_id uuid;
  v_conversation_id uuid;
begin
  if p_client_msg_id is not null then
    select m.id into v_existing_id
      from messages m join conversations c on c.id = m.conversation_id
     where c.workspace_id = p_workspace_id and c.inbox_id = p_inbox_id and c.customer_id = p_customer_id
       and m.workspace_id = p_workspace_id and m.client_msg_id = p_client_msg_id
     limit 1;
    if v_existing_id is not null then
      return v_existing_id;
    end if;
  end if;
  update conversations c
     set status = 'open', snoozed_until = null, waiting_since = coalesce(c.waiting_since, now()),
         last_message_at = now(), last_message_preview = p_preview, unread_count = c.unread_count + 1,
         updated_at = now()
   where c.id = (select a.id from conversations a
                  where a.workspace_id = p_workspace_id and a.inbox_id = p_inbox_id
                    and a.customer_id = p_customer_id and a.status <> 'resolved'
                  order by a.id desc limit 1)
  returning c.id into v_conversation_id;
  if v_conversation_id is null then
    v_conversation_id := p_new_conversation_id;
    insert into conversations (id, workspace_id, inbox_id, customer_id, status, waiting_since, last_message_at,
                               last_message_preview, unread_count)
    values (v_conversation_id, p_workspace_id, p_inbox_id, p_customer_id, 'open', now(), now(), p_preview, 1);
  end if;
  insert into messages (id, workspace_id, conversation_id, direction, sender_kind, content, client_msg_id)
  values (p_message_id, p_workspace_id, v_conversation_id, 'inbound', 'customer', p_content, p_client_msg_id);
  return p_message_id;
end
$$;
--> statement-breakpoint
-- Stores a batch in one transaction: locks every (inbox, customer) first, in a fixed order, so two batches
-- never wait on each other in a cycle; stores each item in order; then answers every message with its
-- conversation as the API shows them, in the order given.
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
  v_item jsonb;
  v_stored uuid[] := '{}';
  v_proposed uuid[] := '{}';
begin
  perform pg_advisory_xact_lock(k.key)
     from (select distinct hashtext('conversation:' || (e->>'inboxId') || ':' || (e->>'customerId')) as key
             from jsonb_array_elements(p_items) as e
            order by 1) as k;
  for v_item in select e from jsonb_array_elements(p_items) with ordinality as t(e, n) order by n loop
    v_proposed := v_proposed || (v_item->>'messageId')::uuid;
    v_stored := v_stored || huike_store_inbound(
      (v_item->>'workspaceId')::uuid, (v_item->>'inboxId')::uuid, (v_item->>'customerId')::uuid,
      (v_item->>'messageId')::uuid, (v_item->>'newConversationId')::uuid, v_item->>'content',
      v_item->>'clientMsgId', v_item->>'preview');
  end loop;
  return query
    select u.n, u.stored <> u.proposed, m.id, m.content, m.created_at, c.id, c.status, c.assignee_id, c.team_id,
           c.snoozed_until, c.waiting_since, c.last_message_at, c.last_message_preview, c.unread_count,
           c.created_at, i.name, cu.name
      from unnest(v_stored, v_proposed) with ordinality as u(stored, proposed, n)
      join messages m on m.id = u.stored
      join conversations c on c.id = m.conversation_id
      join inboxes i on i.id = c.inbox_id
      join customers cu on cu.id = c.customer_id
     order by u.n;
end
$$;
