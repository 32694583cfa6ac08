//! `blobs`: the index of complete blob files.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

pub(crate) fn insert(conn: &Connection, path: &Path, hash: &str, size: u64, at: i64) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO blobs (hash, size, created_at) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![hash, size as i64, at]))
        .map_err(|e| Error::sqlite(path, e))?;
    Ok(())
}

pub(crate) fn size(conn: &Connection, path: &Path, hash: &str) -> Result<Option<u64>> {
    conn.prepare_cached("SELECT size FROM blobs WHERE hash = ?1")
        .and_then(|mut s| s.query_row([hash], |r| r.get::<_, i64>(0)).optional())
        .map(|size| size.map(|s| s as u64))
        .map_err(|e| Error::sqlite(path, e))
}

pub(crate) fn list(conn: &Connection, path: &Path) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT hash, size FROM blobs ORDER BY hash")
        .map_err(|e| Error::sqlite(path, e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| Error::sqlite(path, e))?;
    Ok(rows)
}

pub(crate) fn forget(conn: &Connection, path: &Path, hash: &str, before: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM blobs WHERE hash = ?1 AND created_at < ?2")
        .and_then(|mut s| s.execute(params![hash, before]))
        .map_err(|e| Error::sqlite(path, e))?;
    Ok(())
}

/// Every indexed blob stored before `before` (ms): (hash, size).
pub(crate) fn stored_before(
    conn: &Connection,
    path: &Path,
    before: i64,
) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn
        .prepare_cached("SELECT hash, size FROM blobs WHERE created_at < ?1 ORDER BY hash")
        .map_err(|e| Error::sqlite(path, e))?;
    let rows = stmt
        .query_map([before], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(|e| Error::sqlite(path, e))?;
    Ok(rows)
}
