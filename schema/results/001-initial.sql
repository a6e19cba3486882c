-- The results of a sweep ("muse sweep --results", TRACE.sweep.db): one
-- row per cut point checked, written by the workers and merged by the
-- host.  Version 1.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,            -- trace, trace_sha256
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS results (
    n           INTEGER NOT NULL,      -- the state after op n ...
    model       TEXT NOT NULL,         -- ... with op n+1 cut this way
    seed        INTEGER NOT NULL,      -- 0 for clean
    verdict     TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'error', 'workload')),
    reason      TEXT,                  -- why, for all but pass
    duration_ms REAL NOT NULL,
    log         TEXT,                  -- the kernel's messages, for all but pass
    PRIMARY KEY (n, model, seed)
) WITHOUT ROWID;
