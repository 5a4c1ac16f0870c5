-- Queue changes, published from the write paths themselves: any committed change to a server's
-- submissions, Free order or settings sends `NOTIFY queue_changed, '<guild id>'`. PostgreSQL delivers
-- a notification only when its transaction commits, and once per transaction for the same guild, so
-- the views (embeds, overlay, pages) of every process hear of each change once, after commit, and
-- no command can forget to announce one. See src/queue-changes/.
CREATE FUNCTION queue_changed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('queue_changed', OLD.guild_id);
  ELSE
    PERFORM pg_notify('queue_changed', NEW.guild_id);
    IF TG_OP = 'UPDATE' AND OLD.guild_id IS DISTINCT FROM NEW.guild_id THEN
      PERFORM pg_notify('queue_changed', OLD.guild_id);
    END IF;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER submissions_queue_changed AFTER INSERT OR UPDATE OR DELETE ON submissions
  FOR EACH ROW EXECUTE FUNCTION queue_changed_notify();
-- The score sync writes a new Free order generation (free_order rows are bulk: not each of those).
CREATE TRIGGER free_order_generations_queue_changed AFTER INSERT OR UPDATE ON free_order_generations
  FOR EACH ROW EXECUTE FUNCTION queue_changed_notify();
-- Settings shown on the views: skip prices, gift thresholds, channels.
CREATE TRIGGER guild_config_queue_changed AFTER INSERT OR UPDATE ON guild_config
  FOR EACH ROW EXECUTE FUNCTION queue_changed_notify();
