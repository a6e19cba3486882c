-- Version 2: a point whose flash state is that of a clean point checked
-- (a cut of an op that changes no cell) takes its verdict without a boot,
-- and says which: same_as is that point's N.  And how much of each class of cut point (what op N+1 is, where
-- it lands, next to a mark or not, the model) the sweep checked, written
-- with every report.  A budgeted sweep ("muse sweep --budget") leaves
-- points unchecked; this says which situations it covered.

CREATE TABLE IF NOT EXISTS coverage (
    id        INTEGER PRIMARY KEY,      -- the class's place in the order
    class     TEXT NOT NULL,            -- e.g. "torn: program of UBIFS log ..."
    points    INTEGER NOT NULL,         -- planned
    checked   INTEGER NOT NULL,
    failed    INTEGER NOT NULL,         -- fail or workload
    errors    INTEGER NOT NULL
);

ALTER TABLE results ADD COLUMN same_as INTEGER;   -- N of the clean point, or NULL
