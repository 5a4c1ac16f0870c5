-- The live order of the Free tier moves out of `submissions` into `free_order`. Rewriting every
-- score in place cost a non-HOT update of a wide row in five indexes (2.1–2.5 s for 100k rows).
-- The score sync now writes a whole new generation of narrow rows, in index order, so each
-- insertion lands at the right edge of one index; then it drops the old generation.
-- Rows are not deleted when a submission leaves Free, except by take-next: readers only trust a row
-- whose submission is still in the same stay in Free (`free_since` = its `tier_since`), and the
-- next sync leaves such rows out. See src/storage/free-order.ts.
CREATE TABLE free_order_generations (
  guild_id text PRIMARY KEY,
  generation bigint NOT NULL,
  -- Digest of what the generation was built from, so a sync that would rebuild it unchanged skips.
  checksum bigint NOT NULL
);

CREATE TABLE free_order (
  guild_id text NOT NULL,
  generation bigint NOT NULL,
  score bigint NOT NULL,
  submitted_at timestamptz NOT NULL,
  submission_id bigint NOT NULL,
  free_since timestamptz NOT NULL
);
CREATE INDEX free_order_serving ON free_order (guild_id, generation, score DESC, submitted_at, submission_id);

-- The serving index keeps the skip tiers only; `priority` no longer carries a Free score.
ALTER TABLE submissions DROP COLUMN priority;
ALTER TABLE submissions ADD COLUMN priority bigint GENERATED ALWAYS AS (
  CASE tier WHEN 'skip25' THEN skip_amount ELSE 0 END
) STORED;
CREATE INDEX submissions_serving ON submissions (guild_id, tier_rank, priority DESC, order_time, id)
  WHERE tier_rank <= 4;
CREATE INDEX submissions_free ON submissions (guild_id) WHERE tier_rank = 5;

INSERT INTO free_order (guild_id, generation, score, submitted_at, submission_id, free_since)
SELECT guild_id, 0, score, submitted_at, id, tier_since FROM submissions WHERE tier = 'free';

-- Every way into Free ranks the submission at the score it entered with (`submissions.score`).
-- The shared lock is the one the score sync holds exclusively (freeOrderGate in score-sync.ts):
-- an entry made while a sync rebuilds waits for it, then joins the new generation.
CREATE FUNCTION free_order_enter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtextextended('score-sync:' || NEW.guild_id, 0));
  INSERT INTO free_order (guild_id, generation, score, submitted_at, submission_id, free_since)
  VALUES (
    NEW.guild_id,
    COALESCE((SELECT generation FROM free_order_generations WHERE guild_id = NEW.guild_id), 0),
    NEW.score, NEW.submitted_at, NEW.id, NEW.tier_since
  );
  RETURN NULL;
END
$$;

CREATE TRIGGER submissions_insert_free AFTER INSERT ON submissions
  FOR EACH ROW WHEN (NEW.tier = 'free') EXECUTE FUNCTION free_order_enter();
-- A new `tier_since` in Free is a new stay too: the row of the old one no longer counts.
CREATE TRIGGER submissions_enter_free AFTER UPDATE OF tier, tier_since ON submissions
  FOR EACH ROW WHEN (NEW.tier = 'free' AND (OLD.tier <> 'free' OR OLD.tier_since <> NEW.tier_since))
  EXECUTE FUNCTION free_order_enter();
