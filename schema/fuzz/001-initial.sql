-- The results of a fuzz campaign (DIR/results.db of "muse fuzz faults"
-- and "muse fuzz image"): one row per run or input judged, written by
-- the campaign as verdicts come in.  Version 1.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,            -- campaign, seed, kernel, fs, ...
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    id        TEXT PRIMARY KEY,        -- the run's ID, or the input's number
    verdict   TEXT NOT NULL CHECK (verdict IN
                  ('pass', 'workload', 'loss', 'fail', 'crash', 'error')),
    reason    TEXT,                    -- why, for all but pass
    input     TEXT NOT NULL,           -- the fault plan, or the mutation
    seconds   REAL NOT NULL,           -- how long judging it took
    log       TEXT,                    -- the kernel's messages, for findings
    reproduce TEXT                     -- the command that shows it again
) WITHOUT ROWID;
