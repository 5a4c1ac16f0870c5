-- Periodic jobs shared by several bot processes: a job claims its period's slot by inserting this row
-- in the same transaction as its writes, so a slot counts as done only when the work committed (a
-- process killed mid-run leaves it free for another). See src/jobs/job-run.ts.
CREATE TABLE job_slots (
  job text NOT NULL,
  -- floor(epoch milliseconds / period)
  slot bigint NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, slot)
);
