-- MUSE trace, schema version 2: events beside the operations.

-- Datasheet rules an operation broke (chips do not report these)
CREATE TABLE violations (
    seq    INTEGER NOT NULL,           -- ops.seq of the program
    kind   TEXT NOT NULL CHECK (kind IN ('nop', 'order', 'one-over-zero')),
    block  INTEGER NOT NULL,
    page   INTEGER NOT NULL,           -- page within the block
    detail INTEGER NOT NULL            -- programs so far, highest page, or bits
);
CREATE INDEX violations_by_seq ON violations(seq);

-- Reads, when recorded (muse serve --record-reads)
CREATE TABLE reads (
    id        INTEGER PRIMARY KEY,
    after_seq INTEGER NOT NULL,        -- ops done before the read
    addr      INTEGER NOT NULL,
    len       INTEGER NOT NULL,
    ooblen    INTEGER NOT NULL,
    mode      INTEGER NOT NULL,        -- 0 PLACE, 1 AUTO, 2 RAW
    corrected INTEGER NOT NULL,        -- ECC: bits corrected
    failed    INTEGER NOT NULL,        -- ECC: steps beyond correction
    time_ns   INTEGER NOT NULL
);
