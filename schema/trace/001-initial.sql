-- MUSE trace, schema version 1: a recording of flash operations.
--
-- Every file schema/trace/NNN-*.sql is one version; a new trace runs them all in
-- order, an older trace opened for writing runs those it lacks.  They are
-- compiled into the tools; docs/trace-format.md explains every column.

-- Key/value facts about the recording: geometry, provenance, state
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Payloads, found by the SHA-256 of their uncompressed bytes, so a
-- repeated page (or an all-0xFF one) is stored once.  Rows are appended
-- in order; only the small hash index takes random inserts.
CREATE TABLE blobs (
    id    INTEGER PRIMARY KEY,
    hash  BLOB NOT NULL UNIQUE,        -- 32 bytes
    size  INTEGER NOT NULL,            -- uncompressed bytes
    codec INTEGER NOT NULL,            -- 0: as is, 1: zstd, 2: zstd + dictionary (v3)
    data  BLOB NOT NULL
);

-- The flash before the first operation: every storage unit (NAND page
-- followed by its OOB; NOR/RAM 4 KiB) that is not erased
CREATE TABLE initial_units (
    addr  INTEGER PRIMARY KEY,         -- flash address of the unit
    data  INTEGER NOT NULL             -- blobs.id of in-band then OOB bytes
);

-- Blocks that were bad before the first operation
CREATE TABLE initial_bad_blocks (
    block INTEGER PRIMARY KEY
);

-- Every mutating operation, in the order the flash performed it
CREATE TABLE ops (
    seq        INTEGER PRIMARY KEY,    -- 1, 2, 3, ... without gaps
    kind       INTEGER NOT NULL,       -- 1 program, 2 erase, 3 markbad
    addr       INTEGER NOT NULL,       -- program: first in-band byte (page
                                       -- start if OOB only); else block start
    len        INTEGER NOT NULL,       -- in-band bytes programmed
    data       INTEGER,                -- blobs.id of the in-band bytes
    oob_offset INTEGER NOT NULL DEFAULT 0,  -- first OOB byte (PLACE layout)
    ooblen     INTEGER NOT NULL DEFAULT 0,  -- OOB bytes programmed
    oob        INTEGER,                -- blobs.id of the OOB bytes
    oob_auto   INTEGER NOT NULL DEFAULT 0,  -- 1: only free-region bytes given
    result     INTEGER NOT NULL,       -- 0, or the negative errno answered
    time_ns    INTEGER NOT NULL        -- since the recording started
);

-- Points the workload named; a mark sits between op after_seq and the next
CREATE TABLE marks (
    id        INTEGER PRIMARY KEY,
    after_seq INTEGER NOT NULL,
    name      TEXT NOT NULL,
    time_ns   INTEGER NOT NULL
);

-- What a mark declares durable
CREATE TABLE mark_files (
    mark    INTEGER NOT NULL REFERENCES marks(id),
    path    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('expect', 'in-place', 'absent')),
    size    INTEGER,                   -- expect, in-place: bytes
    sha256  BLOB,                      -- expect, in-place: of the content
    content INTEGER,                   -- blobs.id, for small files
    PRIMARY KEY (mark, path)
) WITHOUT ROWID;
