-- The ingest inserts every TikTok message into `interactions` (10,000 a second in bench/load.bench.ts),
-- and the foreign key on session_id ran a per-row check for each: a lookup of the session and a
-- KEY SHARE lock on its row, 200 times per batch for the same row, about a fifth of the ingest
-- statement's time (auto_explain: 0.73 of 3.7 ms for 200 rows). Sessions are never deleted, and the
-- ingest writes only session ids it got from live_sessions, so the check never refused anything.
ALTER TABLE interactions DROP CONSTRAINT interactions_session_id_fkey;
