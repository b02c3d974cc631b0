ALTER TABLE "agent_profiles" ADD COLUMN "open_load" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Routing reads every candidate's load on each new conversation: a counter kept in the same transaction as the
-- conversation's change, instead of counting conversations per agent each time.
CREATE FUNCTION routing_track_open_load() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.assignee_id IS NOT NULL AND OLD.status IN ('open', 'pending') THEN
    UPDATE agent_profiles SET open_load = greatest(open_load - 1, 0)
    WHERE workspace_id = OLD.workspace_id AND user_id = OLD.assignee_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.assignee_id IS NOT NULL AND NEW.status IN ('open', 'pending') THEN
    INSERT INTO agent_profiles (workspace_id, user_id, open_load) VALUES (NEW.workspace_id, NEW.assignee_id, 1)
    ON CONFLICT (workspace_id, user_id) DO UPDATE SET open_load = agent_profiles.open_load + 1;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER conversations_open_load_insert AFTER INSERT ON conversations
  FOR EACH ROW WHEN (NEW.assignee_id IS NOT NULL AND NEW.status IN ('open', 'pending'))
  EXECUTE FUNCTION routing_track_open_load();
--> statement-breakpoint
CREATE TRIGGER conversations_open_load_update AFTER UPDATE OF assignee_id, status ON conversations
  FOR EACH ROW WHEN (
    (OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
    OR ((OLD.status IN ('open', 'pending')) IS DISTINCT FROM (NEW.status IN ('open', 'pending')))
  )
  EXECUTE FUNCTION routing_track_open_load();
--> statement-breakpoint
CREATE TRIGGER conversations_open_load_delete AFTER DELETE ON conversations
  FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL AND OLD.status IN ('open', 'pending'))
  EXECUTE FUNCTION routing_track_open_load();
--> statement-breakpoint
INSERT INTO agent_profiles (workspace_id, user_id, open_load)
SELECT c.workspace_id, c.assignee_id, count(*)::int
FROM conversations c JOIN users u ON u.id = c.assignee_id
WHERE c.status IN ('open', 'pending') AND c.assignee_id IS NOT NULL
GROUP BY c.workspace_id, c.assignee_id
ON CONFLICT (workspace_id, user_id) DO UPDATE SET open_load = excluded.open_load;
