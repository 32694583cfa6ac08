-- Who wrote what, proven (hugme-sync's authorship): the newest checked signature of each
-- author of a document, passed on with the document's changes so that a third device can
-- check what it receives second-hand. A later change of the author replaces its row.
CREATE TABLE signatures (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    signer      TEXT NOT NULL,
    hash        BLOB NOT NULL,  -- the signed change's hash, 32 bytes
    seq         INTEGER NOT NULL,
    signature   BLOB NOT NULL,  -- ECDSA P-256 SHA-256, fixed encoding, 64 bytes
    PRIMARY KEY (document_id, signer)
) STRICT, WITHOUT ROWID;

-- Device certificates checked against the class CA (DER), to send before their signatures.
CREATE TABLE certificates (
    device TEXT PRIMARY KEY,
    der    BLOB NOT NULL
) STRICT, WITHOUT ROWID;
