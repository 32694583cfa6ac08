//! `changes`: the append-only log of each document's incremental saves since its snapshot.

use std::path::Path;

use rusqlite::{params, Connection};

use crate::error::{Error, Result};

pub(crate) fn append(
    conn: &Connection,
    path: &Path,
    id: &str,
    seq: i64,
    bytes: &[u8],
) -> Result<()> {
    let hash = blake3::hash(bytes);
    conn.prepare_cached(
        "INSERT INTO changes (document_id, seq, bytes, hash) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| s.execute(params![id, seq, bytes, &hash.as_bytes()[..16]]))
    .map_err(|e| super::of_document_row(e, path, id))?;
    Ok(())
}

pub(crate) fn drop_through(
    conn: &Connection,
    path: &Path,
    id: &str,
    through_seq: i64,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM changes WHERE document_id = ?1 AND seq <= ?2")
        .and_then(|mut s| s.execute(params![id, through_seq]))
        .map_err(|e| Error::sqlite(path, e))?;
    Ok(())
}

/// One logged change, checked against its hash.
pub(crate) struct Change {
    pub seq: i64,
    pub bytes: Vec<u8>,
}

/// The log of a document in order. A row whose bytes do not match its hash is named.
pub(crate) fn list(conn: &Connection, path: &Path, id: &str) -> Result<Vec<Change>> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, bytes, hash FROM changes WHERE document_id = ?1 ORDER BY seq")
        .map_err(|e| Error::sqlite(path, e))?;
    let mut rows = stmt.query([id]).map_err(|e| Error::sqlite(path, e))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| Error::sqlite(path, e))? {
        let seq: i64 = row.get(0).map_err(|e| Error::sqlite(path, e))?;
        let bytes: Vec<u8> = row.get(1).map_err(|e| Error::sqlite(path, e))?;
        let hash: Vec<u8> = row.get(2).map_err(|e| Error::sqlite(path, e))?;
        if blake3::hash(&bytes).as_bytes()[..16] != hash[..] {
            return Err(Error::CorruptChange {
                id: id.into(),
                seq,
                why: "its bytes do not match their hash".into(),
            });
        }
        out.push(Change { seq, bytes });
    }
    Ok(out)
}
