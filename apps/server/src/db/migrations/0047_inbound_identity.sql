-- The API channel names its sender by sourceId: the inbound batch resolves a sender named by an identity of the
-- inbox (identityKind + identityExternalId instead of customerId) itself, in the same round trip, instead of the app
-- reading the identity first (one query and one wait fewer per batch). A sender with no stored identity yet answers
-- a row without a message (message_id and customer_id null): the app makes the customer (customer.created) and sends
-- the item again with its customerId. Rows now also answer customer_id (the conversation's customer). The return
-- type changes, so the function is dropped and created again. The rest is unchanged from 0039.
-- p_items: [{"workspaceId","inboxId","customerId" | "identityKind","identityExternalId","messageId",
--            "newConversationId","content","clientMsgId","preview","sentimentLabel","sentimentScore","urgencyReasons",
--            "isScored","externalId","channelMeta","attachments","threadId"}]
--           (sentimentLabel onwards may be null or absent; isScored absent = true).
drop function if exists huike_receive_inbound_batch(jsonb);
--> statement-breakpoint
create function huike_receive_inbound_batch(p_items jsonb)
returns table (
  ordinal bigint,
  is_duplicate boolean,
  message_id uuid,
  message_content text,
  message_created_at timestamptz,
  sentiment_label text,
  sentiment_score real,
  urgency_reasons text[],
  conversation_id uuid,
  status text,
  assignee_id uuid,
  team_id uuid,
  snoozed_until timestamptz,
  waiting_since timestamptz,
  last_message_at timestamptz,
  last_message_preview text,
  unread_count integer,
  last_urgent boolean,
  priority text,
  conversation_created_at timestamptz,
  subject text,
  inbox_name text,
  customer_name text,
  customer_id uuid
) language plpgsql as $$
#variable_conflict use_column
declare
  v_items jsonb;
  v_item jsonb;
  v_workspace_id uuid;
  v_inbox_id uuid;
  v_customer_id uuid;
  v_client_msg_id text;
  v_reasons text[];
  v_urgent boolean;
  v_subject text;
  v_conversation conversations%rowtype;
  v_message record;
  v_inbox_id_named uuid;
  v_inbox_name text;
  v_customer_id_named uuid;
  v_customer_name text;
begin
  -- Senders named by an identity of the inbox: their customer, read before the locks (as the app's read was).
  select coalesce(jsonb_agg(
           case when e->>'customerId' is null and e->>'identityExternalId' is not null
                then e || jsonb_build_object('customerId',
                       (select ci.customer_id from customer_identities ci
                         where ci.workspace_id = (e->>'workspaceId')::uuid and ci.inbox_id = (e->>'inboxId')::uuid
                           and ci.kind = e->>'identityKind' and ci.external_id = e->>'identityExternalId'))
                else e end
           order by n), '[]'::jsonb)
    into v_items
    from jsonb_array_elements(p_items) with ordinality as t(e, n);
  perform pg_advisory_xact_lock(k.key)
     from (select distinct hashtext('conversation:' || (e->>'inboxId') || ':' || (e->>'customerId')) as key
             from jsonb_array_elements(v_items) as e
            where e->>'customerId' is not null
            order by 1) as k;
  ordinal := 0;
  for v_item in select e from jsonb_array_elements(v_items) with ordinality as t(e, n) order by n loop
    ordinal := ordinal + 1;
    v_workspace_id := (v_item->>'workspaceId')::uuid;
    v_inbox_id := (v_item->>'inboxId')::uuid;
    v_customer_id := (v_item->>'customerId')::uuid;
    if v_customer_id is null then
      -- an unknown sender: nothing stored, the app makes the customer and sends the item again
      is_duplicate := false;
      message_id := null; message_content := null; message_created_at := null; sentiment_label := null;
      sentiment_score := null; urgency_reasons := null; conversation_id := null; status := null; assignee_id := null;
      team_id := null; snoozed_until := null; waiting_since := null; last_message_at := null;
      last_message_preview := null; unread_count := null; last_urgent := null; priority := null;
      conversation_created_at := null; subject := null; inbox_name := null; customer_name := null; customer_id := null;
      return next;
      continue;
    end if;
    v_client_msg_id := v_item->>'clientMsgId';
    v_reasons := case when jsonb_typeof(v_item->'urgencyReasons') = 'array'
                      then array(select jsonb_array_elements_text(v_item->'urgencyReasons')) end;
    v_urgent := coalesce(cardinality(v_reasons), 0) > 0;
    v_subject := left(nullif(btrim(v_item->'channelMeta'->>'subject'), ''), 300);
    is_duplicate := false;
    if v_client_msg_id is not null then
      -- One probe of the client_msg_id index per conversation of this customer in this inbox (the limit keeps the
      -- planner from turning it into a join that reads the workspace's messages when statistics are young).
      select m.id, m.content, m.created_at, m.sentiment_label, m.sentiment_score, m.urgency_reasons, m.conversation_id
        into v_message
        from conversations c
        cross join lateral (
          select m.* from messages m
           where m.workspace_id = v_workspace_id and m.conversation_id = c.id and m.client_msg_id = v_client_msg_id
           limit 1) m
       where c.workspace_id = v_workspace_id and c.customer_id = v_customer_id and c.inbox_id = v_inbox_id
       limit 1;
      is_duplicate := found;
    end if;

    if is_duplicate then
      select * into v_conversation from conversations c where c.id = v_message.conversation_id;
    else
      update conversations c
         set status = 'open', snoozed_until = null, waiting_since = coalesce(c.waiting_since, now()),
             last_message_at = now(), last_message_preview = v_item->>'preview', unread_count = c.unread_count + 1,
             -- repeated contact (nlp's REPEATED_CONTACT_*): a 3rd unanswered message after waiting 5 minutes or more
             last_urgent = v_urgent or (c.unread_count + 1 >= 3 and c.waiting_since <= now() - interval '5 minutes'),
             subject = coalesce(c.subject, v_subject),
             updated_at = now()
       -- the email thread it answers when that is this customer's in this inbox, else their latest open one
       where c.id = (select a.id from conversations a
                      where a.workspace_id = v_workspace_id and a.inbox_id = v_inbox_id and a.customer_id = v_customer_id
                        and (a.status <> 'resolved' or a.id = (v_item->>'threadId')::uuid)
                      order by a.id = (v_item->>'threadId')::uuid desc nulls last, a.id desc limit 1)
      returning c.* into v_conversation;
      if not found then
        insert into conversations (id, workspace_id, inbox_id, customer_id, status, waiting_since, last_message_at,
                                   last_message_preview, unread_count, last_urgent, subject)
        values ((v_item->>'newConversationId')::uuid, v_workspace_id, v_inbox_id, v_customer_id, 'open', now(), now(),
                v_item->>'preview', 1, v_urgent, v_subject)
        returning * into v_conversation;
      elsif coalesce((v_item->>'isScored')::boolean, true)
            and v_conversation.unread_count >= 3 and v_conversation.waiting_since <= now() - interval '5 minutes' then
        v_reasons := array_append(coalesce(v_reasons, '{}'), 'repeated_contact');
      end if;
      insert into messages (id, workspace_id, conversation_id, direction, sender_kind, content, client_msg_id,
                            sentiment_label, sentiment_score, urgency_reasons, external_id, channel_meta, attachments)
      values ((v_item->>'messageId')::uuid, v_workspace_id, v_conversation.id, 'inbound', 'customer',
              v_item->>'content', v_client_msg_id, v_item->>'sentimentLabel', (v_item->>'sentimentScore')::real,
              v_reasons, v_item->>'externalId', nullif(v_item->'channelMeta', 'null'::jsonb),
              coalesce(nullif(v_item->'attachments', 'null'::jsonb), '[]'::jsonb))
      returning id, content, created_at, sentiment_label, sentiment_score, urgency_reasons, conversation_id
        into v_message;
    end if;

    -- A batch is mostly one inbox and few customers: look each name up once.
    if v_inbox_id_named is distinct from v_conversation.inbox_id then
      select i.name into v_inbox_name from inboxes i where i.id = v_conversation.inbox_id;
      v_inbox_id_named := v_conversation.inbox_id;
    end if;
    if v_customer_id_named is distinct from v_conversation.customer_id then
      select cu.name into v_customer_name from customers cu where cu.id = v_conversation.customer_id;
      v_customer_id_named := v_conversation.customer_id;
    end if;

    message_id := v_message.id;
    message_content := v_message.content;
    message_created_at := v_message.created_at;
    sentiment_label := v_message.sentiment_label;
    sentiment_score := v_message.sentiment_score;
    urgency_reasons := v_message.urgency_reasons;
    conversation_id := v_conversation.id;
    status := v_conversation.status;
    assignee_id := v_conversation.assignee_id;
    team_id := v_conversation.team_id;
    snoozed_until := v_conversation.snoozed_until;
    waiting_since := v_conversation.waiting_since;
    last_message_at := v_conversation.last_message_at;
    last_message_preview := v_conversation.last_message_preview;
    unread_count := v_conversation.unread_count;
    last_urgent := v_conversation.last_urgent;
    priority := v_conversation.priority;
    conversation_created_at := v_conversation.created_at;
    subject := v_conversation.subject;
    inbox_name := v_inbox_name;
    customer_name := v_customer_name;
    customer_id := v_conversation.customer_id;
    return next;
  end loop;
end
$$;
