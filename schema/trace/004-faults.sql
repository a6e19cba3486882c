-- MUSE trace, schema version 4: injected faults (muse record --faults).

-- Every change a fault made to the cells or to the bad block table, in
-- the order it happened.  It takes effect after op seq: for a failed
-- program or erase, seq is that op (its result is the error the kernel
-- got, and the op itself changed nothing); for a read's or time's fault,
-- the last op before it.  The state after op N is the ops up to N with
-- the faults up to N applied in id order.
CREATE TABLE faults (
    id      INTEGER PRIMARY KEY,
    seq     INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('program-fail', 'erase-fail',
            'grown-bad', 'wear', 'read-disturb', 'retention', 'stuck-bits')),
    block   INTEGER NOT NULL,
    addr    INTEGER,                   -- the unit changed, NULL: none
    mask    INTEGER,                   -- blobs.id: the unit's damage now
                                       -- (cells read inverted: in-band, OOB)
    bits    INTEGER NOT NULL,          -- cells this fault changed
    bad     INTEGER NOT NULL,          -- 1: the block reads bad from now on
    time_ns INTEGER NOT NULL
);
CREATE INDEX faults_by_seq ON faults(seq);
