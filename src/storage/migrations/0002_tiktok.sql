-- TikTok LIVE ingestion: streak credits, gift skips waiting for a link, coins awarded per live.

-- What each gift streak has earned so far. TikTok sends a streak as updates with a growing repeat
-- count; a replayed or late update must only add what is not credited yet, across reconnects and
-- restarts, so the credited count is kept here rather than in memory.
CREATE TABLE gift_streaks (
  guild_id text NOT NULL,
  -- TikTok user id : gift id : group id (see src/tiktok/ingest/streak-tracker.ts)
  streak_key text NOT NULL,
  session_id bigint REFERENCES live_sessions (id),
  tiktok_user_id text NOT NULL,
  gift_id bigint NOT NULL,
  diamond_count bigint NOT NULL CHECK (diamond_count >= 0),
  repeat_count integer NOT NULL DEFAULT 0 CHECK (repeat_count >= 0),
  credited_value bigint NOT NULL DEFAULT 0 CHECK (credited_value >= 0),
  credited_points bigint NOT NULL DEFAULT 0 CHECK (credited_points >= 0),
  started_at timestamptz NOT NULL,
  settled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guild_id, streak_key)
);
CREATE INDEX gift_streaks_by_session ON gift_streaks (session_id);

-- A gift big enough for a skip from a viewer whose TikTok account is not linked yet: applied to their
-- queue when they link (applyGiftSkipClaims).
CREATE TABLE gift_skip_claims (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  tiktok_user_id text NOT NULL,
  tier text NOT NULL CHECK (tier IN ('skip25', 'skip20', 'skip15', 'skip10', 'skip5')),
  gift_value bigint NOT NULL CHECK (gift_value >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  claimed_at timestamptz,
  claimed_by text
);
CREATE INDEX gift_skip_claims_open ON gift_skip_claims (guild_id, tiktok_user_id) WHERE claimed_at IS NULL;

-- Luxury Coins earned during the live (gifts and watch time), for its summary.
ALTER TABLE live_sessions ADD COLUMN coins_awarded bigint NOT NULL DEFAULT 0 CHECK (coins_awarded >= 0);
