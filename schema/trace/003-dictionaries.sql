-- MUSE trace, schema version 3: zstd dictionaries for the payloads.

-- A dictionary the recorder trained on the recording's own payloads.
-- A blob with codec 2 is a zstd frame whose header names the dictionary
-- (its zstd dictionary ID, which is this id) it needs.
CREATE TABLE dictionaries (
    id   INTEGER PRIMARY KEY,          -- zstd dictionary ID
    data BLOB NOT NULL                 -- the dictionary, as zstd made it
);
