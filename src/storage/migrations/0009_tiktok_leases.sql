-- Which bot process holds each server's TikTok LIVE connection. A process claims or renews a row
-- while its expiry has not passed (the database's clock decides, so process clocks may differ), and
-- deletes its rows when it stops; a killed process's rows expire and another process takes over.
-- See src/storage/tiktok-leases-repo.ts.
CREATE TABLE tiktok_leases (
  guild_id text PRIMARY KEY,
  owner text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
