-- What each take changed, so a reviewer can undo a mistaken /next within the server's window
-- (undoNextMinutes): the tier and ordering keys the song was served with, and the points the take
-- reset on its submitter. One row per submission: a song taken again replaces its record.
-- Written by the take statement itself (src/storage/queue-moves.ts), read by undoTake (take-undo.ts).
CREATE TABLE take_records (
  guild_id text NOT NULL,
  submission_id bigint NOT NULL REFERENCES submissions (id),
  taken_by text NOT NULL,
  -- The song's played_at: a record counts only while the song is still played by this take.
  taken_at timestamptz NOT NULL,
  served_from text NOT NULL CHECK (served_from IN ('skip25', 'skip20', 'skip15', 'skip10', 'skip5', 'free')),
  served_since timestamptz NOT NULL,
  served_score bigint NOT NULL,
  discord_points bigint NOT NULL CHECK (discord_points >= 0),
  tiktok_user_id text,
  tiktok_points bigint NOT NULL CHECK (tiktok_points >= 0),
  -- The "Now reviewing" post, edited when the take is undone from /undo-next.
  channel_id text,
  message_id text,
  undone_at timestamptz,
  undone_by text,
  PRIMARY KEY (guild_id, submission_id)
);
CREATE INDEX take_records_latest ON take_records (guild_id, taken_at DESC) WHERE undone_at IS NULL;
