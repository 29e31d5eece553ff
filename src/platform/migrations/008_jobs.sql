-- Long work (video checks now; queued photo checks later) as jobs with an owner, a state, progress,
-- a deadline and a result that expires. Ids, counts and state only: no file names, no faces, no
-- verdicts. The result itself lives on disk beside the photo checks' results and is deleted with
-- the job's expiry.
CREATE TABLE jobs (
  id           TEXT PRIMARY KEY,
  kind         TEXT NOT NULL,                    -- 'video' (queued photo checks may follow)
  owner_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'expired')),
  progress     REAL NOT NULL DEFAULT 0,          -- 0..1
  eta_seconds  INTEGER,                          -- time left, while running
  error_code   TEXT,                             -- stable code when failed
  counts       TEXT,                             -- JSON of small counts (frames, faces, blurred)
  created_at   TEXT NOT NULL,
  started_at   TEXT,
  finished_at  TEXT,
  deadline     TEXT NOT NULL,                    -- not finished by then: dropped, never delivered late
  expires_at   TEXT                              -- the result is deleted then (set when done)
);
CREATE INDEX jobs_owner ON jobs (owner_id, created_at);
CREATE INDEX jobs_state ON jobs (state);
