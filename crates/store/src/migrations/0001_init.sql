-- Documents: a snapshot (Automerge save()) plus an append-only log of incremental saves.
CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('project', 'class', 'review')),
    snapshot      BLOB NOT NULL,
    -- BLAKE3 of snapshot, so a damaged snapshot is named rather than half-loaded.
    snapshot_hash BLOB NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE changes (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    hash        BLOB NOT NULL,
    PRIMARY KEY (document_id, seq)
) STRICT, WITHOUT ROWID;

-- Automerge sync state per (document, peer), so a reconnect with nothing new is cheap.
CREATE TABLE sync_states (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    peer_id     TEXT NOT NULL,
    state       BLOB NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (document_id, peer_id)
) STRICT, WITHOUT ROWID;

-- The blobs whose files are complete and fsynced. A file without a row here is not visible.
CREATE TABLE blobs (
    hash       TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Small facts about this data folder (its device id, for instance).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
