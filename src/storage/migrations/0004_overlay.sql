-- Secret URLs of the pages the bot serves: one stream overlay per guild, one player per reviewer.
-- The token is kept (admins can be shown their URL again) and so is its SHA-256, which requests are
-- looked up by: an index walk over digests tells a guesser nothing about any token.
CREATE TABLE page_tokens (
  guild_id text NOT NULL,
  page text NOT NULL CHECK (page IN ('overlay', 'player')),
  -- The reviewer a player URL belongs to; '' for the guild's overlay.
  owner_id text NOT NULL DEFAULT '',
  token text NOT NULL,
  token_sha256 text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guild_id, page, owner_id)
);
