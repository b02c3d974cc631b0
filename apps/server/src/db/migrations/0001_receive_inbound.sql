-- Stores one inbound customer message in a single round trip: the hottest path of the product.
-- Serialises per (inbox, customer), answers the stored message for a repeated client_msg_id, joins the
-- customer's active conversation (reopening pending/snoozed) or opens a new one, inserts the message, and
-- returns the message with its conversation as the API shows them.
create or replace function huike_receive_inbound(
  p_workspace_id uuid,
  p_inbox_id uuid,
  p_customer_id uuid,
  p_message_id uuid,
  p_new_conversation_id uuid,
  p_content text,
  p_client_msg_id text,
  p_preview text
) returns table (
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
  v_message_id uuid;
  v_conversation_id uuid;
  v_is_duplicate boolean := false;
begin
  perform pg_advisory_xact_lock(hashtext('conversation:' || p_inbox_id || ':' || p_customer_id));
  if p_client_msg_id is not null then
    select m.id into v_message_id
      from messages m join conversations c on c.id = m.conversation_id
     where c.workspace_id = p_workspace_id and c.inbox_id = p_inbox_id and c.customer_id = p_customer_id
       and m.workspace_id = p_workspace_id and m.client_msg_id = p_client_msg_id
     limit 1;
    v_is_duplicate := v_message_id is not null;
  end if;
  if not v_is_duplicate then
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
    v_message_id := p_message_id;
    insert into messages (id, workspace_id, conversation_id, direction, sender_kind, content, client_msg_id)
    values (v_message_id, p_workspace_id, v_conversation_id, 'inbound', 'customer', p_content, p_client_msg_id);
  end if;
  return query
    select v_is_duplicate, m.id, m.content, m.created_at, c.id, c.status, c.assignee_id, c.team_id, c.snoozed_until,
           c.waiting_since, c.last_message_at, c.last_message_preview, c.unread_count, c.created_at, i.name, cu.name
      from messages m
      join conversations c on c.id = m.conversation_id
      join inboxes i on i.id = c.inbox_id
      join customers cu on cu.id = c.customer_id
     where m.workspace_id = p_workspace_id and m.id = v_message_id;
end
$$;
