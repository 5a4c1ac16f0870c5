-- TikTok ingestion rewrites a viewer's account row on nearly every batch (last seen, points, coins)
-- and the watch-time tick once a minute. None of those columns is indexed (the handle index only
-- changes on a rename), so with room left on the page PostgreSQL updates the row in place (HOT): no
-- new index entries and far less bloat. At the default fillfactor of 100 pages are full and ~90 % of
-- these updates were not HOT in bench/ingest.bench.ts; at 70, ~85-90 % are. Applies to pages written
-- from now on (a VACUUM FULL in a quiet moment rewrites the existing ones).
-- Do not index last_seen_at: the ingest path updates it on every sighting, and an index on it would
-- make every one of those updates non-HOT.
ALTER TABLE tiktok_accounts SET (fillfactor = 70);
