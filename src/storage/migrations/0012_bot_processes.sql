-- Bot processes sharing this database, each renewing its row while it runs (the TikTok lease round
-- does it), so a process can tell how many others there are and take only its share of the LIVEs.
-- A stopped process deletes its row; a killed one's row expires. See src/storage/tiktok-leases-repo.ts.
CREATE TABLE bot_processes (
  owner text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
