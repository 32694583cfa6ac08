//! `sync_states`: the persisted Automerge sync state per (document, peer).

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

pub(crate) fn put(
    conn: &Connection,
    path: &Path,
    document_id: &str,
    peer_id: &str,
    state: &[u8],
    at: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_states (document_id, peer_id, state, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (document_id, peer_id) DO UPDATE SET state = ?3, updated_at = ?4",
    )
    .and_then(|mut s| s.execute(params![document_id, peer_id, state, at]))
    .map_err(|e| super::of_document_row(e, path, document_id))?;
    Ok(())
}

pub(crate) fn get(
    conn: &Connection,
    path: &Path,
    document_id: &str,
    peer_id: &str,
) -> Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT state FROM sync_states WHERE document_id = ?1 AND peer_id = ?2")
        .and_then(|mut s| s.query_row([document_id, peer_id], |r| r.get(0)).optional())
        .map_err(|e| Error::sqlite(path, e))
}
