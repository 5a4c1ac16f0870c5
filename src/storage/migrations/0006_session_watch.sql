-- Per live: Luxury Coins awarded for gifts and for watch time apart (coins_awarded stays the total),
-- and each viewer's watch minutes, for the session summary's top watchers and the per-viewer CSV.

-- Sessions recorded before this migration kept one tally only: their split is unknown (NULL), not 0.
-- NULL + n stays NULL, so a session open across the upgrade keeps an unknown split too.
ALTER TABLE live_sessions
  ADD COLUMN gift_coins_awarded bigint DEFAULT 0 CHECK (gift_coins_awarded >= 0),
  ADD COLUMN watch_coins_awarded bigint DEFAULT 0 CHECK (watch_coins_awarded >= 0);
UPDATE live_sessions SET gift_coins_awarded = NULL, watch_coins_awarded = NULL WHERE coins_awarded > 0;

-- Watch minutes of one viewer in one live, added by the watch-time tick (src/storage/watch-time-repo.ts).
CREATE TABLE session_watch (
  guild_id text NOT NULL,
  session_id bigint NOT NULL REFERENCES live_sessions (id),
  tiktok_user_id text NOT NULL,
  minutes bigint NOT NULL DEFAULT 0 CHECK (minutes >= 0),
  PRIMARY KEY (guild_id, session_id, tiktok_user_id)
);
