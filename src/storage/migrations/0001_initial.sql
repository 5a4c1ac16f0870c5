-- Every table is scoped by Discord guild id, so one bot serves several servers.
-- Balances are capped at 2^53 - 1 so they stay exact as JavaScript numbers.

CREATE TABLE guild_config (
  guild_id text PRIMARY KEY,
  submission_channel_id text,
  reviewer_channel_id text,
  reviewer_role_id text,
  summary_channel_id text,
  tiktok_username text,
  -- Point and coin rates, skip thresholds and prices, queue rules: validated by the app, defaults merged.
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE live_sessions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  tiktok_username text NOT NULL,
  room_id text,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  end_reason text
);
CREATE UNIQUE INDEX live_sessions_one_open ON live_sessions (guild_id) WHERE ended_at IS NULL;
CREATE INDEX live_sessions_by_guild ON live_sessions (guild_id, started_at DESC);

CREATE TABLE tiktok_accounts (
  guild_id text NOT NULL,
  tiktok_user_id text NOT NULL,
  handle text NOT NULL,
  nickname text NOT NULL DEFAULT '',
  discord_user_id text,
  linked_at timestamptz,
  points bigint NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 9007199254740991),
  coins bigint NOT NULL DEFAULT 0 CHECK (coins BETWEEN 0 AND 9007199254740991),
  watch_minutes bigint NOT NULL DEFAULT 0 CHECK (watch_minutes >= 0),
  tiktok_coins_gifted bigint NOT NULL DEFAULT 0 CHECK (tiktok_coins_gifted >= 0),
  -- Remainders carried between conversions, in rate units (see src/domain/coins.ts).
  gift_coin_carry integer NOT NULL DEFAULT 0 CHECK (gift_coin_carry >= 0),
  watch_coin_carry integer NOT NULL DEFAULT 0 CHECK (watch_coin_carry >= 0),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guild_id, tiktok_user_id)
);
-- One TikTok account per Discord user per guild (and one Discord user per account, by the column).
CREATE UNIQUE INDEX tiktok_accounts_discord_user ON tiktok_accounts (guild_id, discord_user_id)
  WHERE discord_user_id IS NOT NULL;
CREATE INDEX tiktok_accounts_handle ON tiktok_accounts (guild_id, lower(handle));

CREATE TABLE user_points (
  guild_id text NOT NULL,
  discord_user_id text NOT NULL,
  points bigint NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 9007199254740991),
  coins bigint NOT NULL DEFAULT 0 CHECK (coins BETWEEN 0 AND 9007199254740991),
  watch_minutes bigint NOT NULL DEFAULT 0 CHECK (watch_minutes >= 0),
  watch_coin_carry integer NOT NULL DEFAULT 0 CHECK (watch_coin_carry >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guild_id, discord_user_id)
);

CREATE TABLE user_preferences (
  guild_id text NOT NULL,
  discord_user_id text NOT NULL,
  notify_when_next boolean NOT NULL DEFAULT false,
  mention_when_reviewed boolean NOT NULL DEFAULT true,
  PRIMARY KEY (guild_id, discord_user_id)
);

CREATE TABLE submissions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  submitter_id text NOT NULL,
  artist text NOT NULL CHECK (length(artist) BETWEEN 1 AND 200),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  link text,
  platform text,
  file_path text,
  file_name text,
  note text,
  source text NOT NULL DEFAULT 'command',
  resubmitted_from bigint REFERENCES submissions (id),
  tier text NOT NULL DEFAULT 'free' CHECK (
    tier IN ('skip25', 'skip20', 'skip15', 'skip10', 'skip5', 'free', 'pending', 'played', 'removed')
  ),
  -- Mirrors src/domain/tiers.ts: serving order 0..8.
  tier_rank smallint GENERATED ALWAYS AS (
    CASE tier
      WHEN 'skip25' THEN 0 WHEN 'skip20' THEN 1 WHEN 'skip15' THEN 2 WHEN 'skip10' THEN 3 WHEN 'skip5' THEN 4
      WHEN 'free' THEN 5 WHEN 'pending' THEN 6 WHEN 'played' THEN 7 ELSE 8
    END
  ) STORED,
  skip_amount integer NOT NULL DEFAULT 0 CHECK (skip_amount >= 0),
  requested_skip_amount integer CHECK (requested_skip_amount >= 5),
  score bigint NOT NULL DEFAULT 0,
  -- Mirrors queueSortKey in src/domain/ordering.ts, so one index serves take-next and listing.
  priority bigint GENERATED ALWAYS AS (
    CASE tier WHEN 'skip25' THEN skip_amount WHEN 'free' THEN score ELSE 0 END
  ) STORED,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  tier_since timestamptz NOT NULL DEFAULT now(),
  order_time timestamptz GENERATED ALWAYS AS (CASE WHEN tier = 'free' THEN submitted_at ELSE tier_since END) STORED,
  played_at timestamptz,
  played_by text,
  removed_at timestamptz,
  removed_by text,
  remove_reason text,
  CHECK (link IS NOT NULL OR file_path IS NOT NULL)
);
-- Few indexes on purpose: a score change rewrites the row in every index it belongs to, and the
-- score sync may touch every Free row. Per-user lookups share submissions_by_user.
CREATE INDEX submissions_serving ON submissions (guild_id, tier_rank, priority DESC, order_time, id)
  WHERE tier_rank <= 5;
CREATE INDEX submissions_pending ON submissions (guild_id, order_time, id) WHERE tier_rank = 6;
CREATE INDEX submissions_open_link ON submissions (guild_id, link) WHERE tier_rank <= 6 AND link IS NOT NULL;
CREATE INDEX submissions_history ON submissions (guild_id, tier_rank, tier_since DESC) WHERE tier_rank >= 7;
CREATE INDEX submissions_by_user ON submissions (guild_id, submitter_id, submitted_at DESC);

-- A skip paid for but removed unplayed: applied to the submitter's next submission.
CREATE TABLE skip_credits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  discord_user_id text NOT NULL,
  tier text NOT NULL CHECK (tier IN ('skip25', 'skip20', 'skip15', 'skip10', 'skip5')),
  skip_amount integer NOT NULL,
  from_submission_id bigint REFERENCES submissions (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  used_by_submission_id bigint REFERENCES submissions (id)
);
CREATE INDEX skip_credits_unused ON skip_credits (guild_id, discord_user_id, created_at) WHERE used_at IS NULL;

CREATE TABLE embed_configs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  channel_id text NOT NULL,
  message_id text,
  kind text NOT NULL CHECK (kind IN ('live_queue', 'reviewer_queue', 'pending_skips')),
  page integer NOT NULL DEFAULT 0 CHECK (page >= 0),
  active boolean NOT NULL DEFAULT true,
  content_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX embed_configs_active ON embed_configs (guild_id) WHERE active;

CREATE TABLE interactions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  session_id bigint REFERENCES live_sessions (id),
  kind text NOT NULL CHECK (kind IN ('gift', 'like', 'join', 'comment', 'share', 'follow', 'viewers')),
  -- TikTok's message id: a replayed batch after a reconnect carries the same ids.
  msg_id text NOT NULL,
  tiktok_user_id text,
  amount bigint NOT NULL DEFAULT 0,
  points bigint NOT NULL DEFAULT 0,
  coins bigint NOT NULL DEFAULT 0,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX interactions_msg_id ON interactions (guild_id, msg_id);
CREATE INDEX interactions_by_session ON interactions (session_id, occurred_at);

CREATE TABLE link_requests (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  discord_user_id text NOT NULL,
  tiktok_handle text NOT NULL,
  code text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  completed_at timestamptz,
  tiktok_user_id text
);
CREATE UNIQUE INDEX link_requests_open_code ON link_requests (guild_id, code) WHERE completed_at IS NULL;
CREATE INDEX link_requests_by_user ON link_requests (guild_id, discord_user_id, created_at DESC);

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  guild_id text NOT NULL,
  actor_id text NOT NULL,
  action text NOT NULL,
  target_user_id text,
  submission_id bigint,
  reason text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_by_guild ON audit_log (guild_id, created_at DESC);
CREATE INDEX audit_log_by_target ON audit_log (guild_id, target_user_id, created_at DESC);
