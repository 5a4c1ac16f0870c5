-- The reviewers' web studio. `/studio` gives a member a sign-in link that works once and soon
-- expires; opening it starts a session held in a cookie. Only digests of both secrets are stored, so
-- a copy of the database opens no one's studio. `channel_id` is where `/studio` was used: the
-- studio's Now reviewing posts go there, as /next's go to the channel it is used in.
CREATE TABLE studio_sign_ins (
  token_sha256 text PRIMARY KEY,
  guild_id text NOT NULL,
  member_id text NOT NULL,
  channel_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE studio_sessions (
  token_sha256 text PRIMARY KEY,
  guild_id text NOT NULL,
  member_id text NOT NULL,
  channel_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX studio_sessions_guild ON studio_sessions (guild_id);

-- The studio replaces the per-reviewer player page: its secret URLs stop working.
DELETE FROM page_tokens WHERE page = 'player';
ALTER TABLE page_tokens DROP CONSTRAINT page_tokens_page_check;
ALTER TABLE page_tokens ADD CONSTRAINT page_tokens_page_check CHECK (page IN ('overlay', 'public'));
