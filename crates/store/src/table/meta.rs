//! `meta`: small facts about the data folder, such as this device's id.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

pub(crate) fn set(conn: &Connection, path: &Path, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
    )
    .and_then(|mut s| s.execute([key, value]))
    .map_err(|e| Error::sqlite(path, e))?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, path: &Path, key: &str) -> Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .map_err(|e| Error::sqlite(path, e))
}
