-- Channel messages (issue 6) carry the channel's own id (external_id: Message-ID, WeChat MsgId), what the channel
-- adds (channel_meta: subject, sanitised html, msgType), attachments, and — for email replies found by
-- In-Reply-To/References — the conversation they answer (p_thread_id: used when it is this customer's in this
-- inbox, reopening it if resolved). Same logic as 0009 otherwise; the functions gain parameters.
drop function if exists huike_receive_inbound_batch(jsonb);
--> statement-breakpoint
drop function if exists huike_store_inbound(uuid, uuid, uuid, uuid, uuid, text, text, text, text, real, text[]);
--> statement-breakpoint
create or replace function huike_store_inbound(
  p_workspace_id uuid,
  p_inbox_id uuid,
  p_customer_id uuid,
  p_message_id uuid,
  p_new_conversation_id uuid,
  p_content text,
  p_client_msg_id text,
  p_preview text,
  p_sentiment_label text,
  p_sentiment_score real,
  p_urgency_reasons text[],
  p_external_id text,
  p_channel_meta jsonb,
  p_attachments jsonb,
  p_thread_id uuid
) returns uuid language plpgsql as $$
declare
  v_existing_id uuid;
  v_conversation_id uuid;
  v_urgent boolean := coalesce(cardinality(p_urgency_reasons), 0) > 0;
  v_repeated boolean := false;
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
         -- repeated contact (nlp's REPEATED_CONTACT_*): the 3rd unanswered message within 10 minutes of the wait's start
         last_urgent = v_urgent or (c.unread_count + 1 >= 3 and c.waiting_since >= now() - interval '10 minutes'),
         updated_at = now()
   where c.id = coalesce(
           (select a.id from conversations a
             where a.id = p_thread_id and a.workspace_id = p_workspace_id and a.inbox_id = p_inbox_id
               and a.customer_id = p_customer_id),
           (select a.id from conversations a
             where a.workspace_id = p_workspace_id and a.inbox_id = p_inbox_id
               and a.customer_id = p_customer_id and a.status <> 'resolved'
             order by a.id desc limit 1))
  returning c.id, c.unread_count >= 3 and c.waiting_since >= now() - interval '10 minutes'
    into v_conversation_id, v_repeated;
  if v_repeated then
    p_urgency_reasons := array_append(coalesce(p_urgency_reasons, '{}'), 'repeated_contact');
  end if;
  if v_conversation_id is null then
    v_conversation_id := p_new_conversation_id;
    insert into conversations (id, workspace_id, inbox_id, customer_id, status, waiting_since, last_message_at,
                               last_message_preview, unread_count, last_urgent)
    values (v_conversation_id, p_workspace_id, p_inbox_id, p_customer_id, 'open', now(), now(), p_preview, 1,
            v_urgent);
  end if;
  insert into messages (id, workspace_id, conversation_id, direction, sender_kind, content, client_msg_id,
                        sentiment_label, sentiment_score, urgency_reasons, external_id, channel_meta, attachments)
  values (p_message_id, p_workspace_id, v_conversation_id, 'inbound', 'customer', p_content, p_client_msg_id,
          p_sentiment_label, p_sentiment_score, p_urgency_reasons, p_external_id, p_channel_meta,
          coalesce(p_attachments, '[]'::jsonb));
  return p_message_id;
end
$$;
--> statement-breakpoint
-- p_items: [{"workspaceId","inboxId","customerId","messageId","newConversationId","content","clientMsgId","preview",
--            "sentimentLabel","sentimentScore","urgencyReasons","externalId","channelMeta","attachments","threadId"}]
--          (the last seven may be null or absent).
create or replace function huike_receive_inbound_batch(p_items jsonb)
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
      v_item->>'clientMsgId', v_item->>'preview', v_item->>'sentimentLabel', (v_item->>'sentimentScore')::real,
      case when jsonb_typeof(v_item->'urgencyReasons') = 'array'
           then array(select jsonb_array_elements_text(v_item->'urgencyReasons')) end,
      v_item->>'externalId', nullif(v_item->'channelMeta', 'null'::jsonb),
      nullif(v_item->'attachments', 'null'::jsonb), (v_item->>'threadId')::uuid);
  end loop;
  return query
    select u.n, u.stored <> u.proposed, m.id, m.content, m.created_at, m.sentiment_label, m.sentiment_score,
           m.urgency_reasons, c.id, c.status, c.assignee_id, c.team_id, c.snoozed_until, c.waiting_since,
           c.last_message_at, c.last_message_preview, c.unread_count, c.last_urgent, c.priority, c.created_at,
           i.name, cu.name
      from unnest(v_stored, v_proposed) with ordinality as u(stored, proposed, n)
      join messages m on m.id = u.stored
      join conversations c on c.id = m.conversation_id
      join inboxes i on i.id = c.inbox_id
      join customers cu on cu.id = c.customer_id
     order by u.n;
end
$$;
