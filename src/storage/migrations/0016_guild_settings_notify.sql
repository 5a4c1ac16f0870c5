-- Each process keeps a copy of every server's guild_config row (src/storage/guild-config-repo.ts):
-- commands read it before they can acknowledge Discord, and the ingest before each batch. A change
-- to the row still notifies `queue_changed` (the views show settings), now with the payload
-- `<guild id>:settings`, so that every process also forgets its copy after the commit.
CREATE FUNCTION guild_settings_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('queue_changed', OLD.guild_id || ':settings');
  ELSE
    PERFORM pg_notify('queue_changed', NEW.guild_id || ':settings');
  END IF;
  RETURN NULL;
END;
$$;

DROP TRIGGER guild_config_queue_changed ON guild_config;
CREATE TRIGGER guild_config_queue_changed AFTER INSERT OR UPDATE OR DELETE ON guild_config
  FOR EACH ROW EXECUTE FUNCTION guild_settings_changed_notify();
