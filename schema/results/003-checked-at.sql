-- Version 3: when each verdict was reached (seconds since the epoch, the
-- worker's wall clock), so that what a sweep had covered after any time,
-- and when it met its first failure, can be read back from its results.
-- NULL in rows a version 2 file brought in.

ALTER TABLE results ADD COLUMN checked_at REAL;
