-- The review itself: a reviewer's score (0 to 10 in tenths: 85 = 8.5) and optional short verdict for
-- a song they played. One current rating per song; a correction updates it, and every rating and
-- correction is in the audit log. `taken_at` is the song's played_at when it was rated: a rating
-- counts only while the song is still played by that take, so a take undone (or a song restored and
-- played again later) is rated afresh. Written and read by src/storage/ratings-repo.ts.
CREATE TABLE reviews (
  guild_id text NOT NULL,
  submission_id bigint NOT NULL REFERENCES submissions (id),
  reviewer_id text NOT NULL,
  score_tenths smallint NOT NULL CHECK (score_tenths BETWEEN 0 AND 100),
  verdict text CHECK (char_length(verdict) BETWEEN 1 AND 300),
  taken_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (guild_id, submission_id)
);
-- /history (newest first) and /top (best first).
CREATE INDEX reviews_recent ON reviews (guild_id, created_at DESC);
CREATE INDEX reviews_best ON reviews (guild_id, score_tenths DESC, created_at);
-- The public queue page shows the scores of the songs played last: a rating notifies queue_changed
-- (migration 0010) like any other change the views show. Embeds re-render and, their content unchanged,
-- are not edited.
CREATE TRIGGER reviews_queue_changed AFTER INSERT OR UPDATE OR DELETE ON reviews
  FOR EACH ROW EXECUTE FUNCTION queue_changed_notify();

-- /notify rated:on|off: a DM with the score when one's song is rated. On by default: the rating is
-- the answer to the submission, one DM per song the member asked for.
ALTER TABLE user_preferences ADD COLUMN notify_when_rated boolean NOT NULL DEFAULT true;
