-- When the lease holder's connection to the LIVE last went live. A process giving a LIVE up (it
-- offered it to a process with fewer, or another process took its lease) stays connected until the
-- new holder has set this: a message TikTok sends meanwhile reaches at least one of them, and what
-- both record is deduplicated by message id. A new holder starts with NULL.
ALTER TABLE tiktok_leases ADD COLUMN connected_at timestamptz;
