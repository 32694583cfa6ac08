//! `documents`: one row per document, its kind and its current snapshot.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

pub(crate) fn insert(
    conn: &Connection,
    path: &Path,
    id: &str,
    kind: &str,
    snapshot: &[u8],
    created_at: i64,
) -> Result<()> {
    let hash = blake3::hash(snapshot);
    conn.prepare_cached(
        "INSERT INTO documents (id, kind, snapshot, snapshot_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![id, kind, snapshot, hash.as_bytes(), created_at]))
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => Error::DocumentExists { id: id.into() },
        _ => Error::sqlite(path, e),
    })?;
    Ok(())
}

pub(crate) fn replace_snapshot(
    conn: &Connection,
    path: &Path,
    id: &str,
    snapshot: &[u8],
) -> Result<()> {
    let hash = blake3::hash(snapshot);
    let n = conn
        .prepare_cached("UPDATE documents SET snapshot = ?2, snapshot_hash = ?3 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id, snapshot, hash.as_bytes()]))
        .map_err(|e| Error::sqlite(path, e))?;
    if n == 0 {
        return Err(Error::NoSuchDocument { id: id.into() });
    }
    Ok(())
}

/// A document's row: kind and verified snapshot.
pub(crate) struct Row {
    pub kind: String,
    pub snapshot: Vec<u8>,
}

pub(crate) fn get(conn: &Connection, path: &Path, id: &str) -> Result<Row> {
    let row = conn
        .prepare_cached("SELECT kind, snapshot, snapshot_hash FROM documents WHERE id = ?1")
        .and_then(|mut s| {
            s.query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .optional()
        })
        .map_err(|e| Error::sqlite(path, e))?;
    let (kind, snapshot, hash) = row.ok_or_else(|| Error::NoSuchDocument { id: id.into() })?;
    if blake3::hash(&snapshot).as_bytes().as_slice() != hash.as_slice() {
        return Err(Error::CorruptSnapshot { id: id.into() });
    }
    Ok(Row { kind, snapshot })
}

/// What `hugme inspect` shows of each document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    pub id: String,
    pub kind: String,
    pub snapshot_bytes: u64,
    pub log_bytes: u64,
    pub changes: u64,
    pub created_at: i64,
}

pub(crate) fn list(conn: &Connection, path: &Path) -> Result<Vec<DocumentInfo>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT d.id, d.kind, length(d.snapshot), d.created_at,
                    coalesce(sum(length(c.bytes)), 0), count(c.seq)
             FROM documents d LEFT JOIN changes c ON c.document_id = d.id
             GROUP BY d.id ORDER BY d.created_at, d.id",
        )
        .map_err(|e| Error::sqlite(path, e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(DocumentInfo {
                id: r.get(0)?,
                kind: r.get(1)?,
                snapshot_bytes: r.get::<_, i64>(2)? as u64,
                created_at: r.get(3)?,
                log_bytes: r.get::<_, i64>(4)? as u64,
                changes: r.get::<_, i64>(5)? as u64,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| Error::sqlite(path, e))?;
    Ok(rows)
}
