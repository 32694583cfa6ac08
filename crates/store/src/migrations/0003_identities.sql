-- A fourth kind of document: a group's protected pupils' names (hugme-model's identities).
-- SQLite cannot change a CHECK in place: the table is rebuilt as its documentation says
-- (https://www.sqlite.org/lang_altertable.html#otheralter); foreign keys are off while the
-- migrations run (db.rs), so dropping the old table cascades to nothing.
CREATE TABLE documents_new (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('project', 'class', 'review', 'identities')),
    snapshot      BLOB NOT NULL,
    -- BLAKE3 of snapshot, so a damaged snapshot is named rather than half-loaded.
    snapshot_hash BLOB NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;
INSERT INTO documents_new (id, kind, snapshot, snapshot_hash, created_at)
    SELECT id, kind, snapshot, snapshot_hash, created_at FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
