//! Opening the database: the header check, per-connection PRAGMAs and migrations.
//!
//! PRAGMAs are set on every connection (not in migrations, which run once): WAL so readers never
//! block the writer, `synchronous=FULL` because a tablet's battery can die at any moment,
//! `foreign_keys` and a `busy_timeout`.

use std::io::Read;
use std::path::Path;
use std::sync::LazyLock;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};

/// The migrations, oldest first. Their count is the schema version this build writes.
pub(crate) static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up(include_str!("migrations/0001_init.sql")),
        M::up(include_str!("migrations/0002_authorship.sql")),
        M::up(include_str!("migrations/0003_identities.sql")),
    ])
});

/// The schema version (SQLite `user_version`) this build writes.
pub fn supported_version() -> i64 {
    // One migration per version; `validate()` in the tests keeps the list well-formed.
    MIGRATIONS_COUNT
}
const MIGRATIONS_COUNT: i64 = 3;

/// How a connection shares the database with others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locking {
    /// Other connections too (SQLite's shared-memory WAL index, a `-shm` file).
    Shared,
    /// This connection only; its WAL index lives in its memory, so the database opens even
    /// on a disk too full for the `-shm` file. SQLite: "WAL without shared memory"
    /// (<https://sqlite.org/wal.html#noshm>).
    Exclusive,
}

/// Opens (creating if needed) the database at `path` and brings it to the current schema.
pub(crate) fn open(path: &Path, locking: Locking) -> Result<Connection> {
    let existed = path.exists();
    if existed {
        check_header(path)?;
    }
    let mut conn = Connection::open(path).map_err(|e| Error::sqlite(path, e))?;
    if locking == Locking::Exclusive {
        // Before anything reads the file: only then does SQLite keep the index in memory.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(|e| Error::sqlite(path, e))?;
    }
    if !existed {
        // Must be chosen before the first table exists; lets compaction give space back.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .map_err(|e| Error::sqlite(path, e))?;
    }
    configure(&conn, path)?;
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| Error::sqlite(path, e))?;
    if found > supported_version() {
        return Err(Error::DatabaseTooNew {
            path: path.to_path_buf(),
            found,
            supported: supported_version(),
        });
    }
    // A migration may rebuild a table others refer to (SQLite's way of changing a CHECK):
    // with foreign keys on, dropping the old table would delete every row referring to it.
    // Off while the migrations run (a PRAGMA inside their transaction would do nothing),
    // checked whole after, on again for everything else.
    conn.pragma_update(None, "foreign_keys", "OFF")
        .map_err(|e| Error::sqlite(path, e))?;
    MIGRATIONS
        .to_latest(&mut conn)
        .map_err(|source| match source {
            rusqlite_migration::Error::RusqliteError { err, .. } => Error::sqlite(path, err),
            source => Error::Migration {
                path: path.to_path_buf(),
                source,
            },
        })?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| Error::sqlite(path, e))?;
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .map_err(|e| Error::sqlite(path, e))?;
    if dangling != 0 {
        return Err(Error::sqlite(
            path,
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!("{dangling} rows refer to nothing after migrating")),
            ),
        ));
    }
    Ok(conn)
}

/// Opens another connection to an already migrated database.
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|e| Error::sqlite(path, e))?;
    configure(&conn, path)?;
    Ok(conn)
}

fn configure(conn: &Connection, path: &Path) -> Result<()> {
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )
    .map_err(|e| Error::sqlite(path, e))
}

/// Refuses a file that is not SQLite or is shorter than its header says, before SQLite sees it.
///
/// SQLite would open a truncated file and fail later, on whichever page is missing; checking
/// the in-header size first gives one clear error at open. The in-header size is only
/// trusted when the header says it is valid, and only when no write-ahead log is pending
/// (a checkpoint cut short may have written page 1 before the pages that grow the file).
fn check_header(path: &Path) -> Result<()> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let actual = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if actual == 0 {
        return Ok(()); // SQLite treats an empty file as a new database.
    }
    let mut header = [0u8; 100];
    if actual < 100 || file.read_exact(&mut header).is_err() {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            expected: 100,
            actual,
        });
    }
    if &header[..16] != b"SQLite format 3\0" {
        return Err(Error::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    let wal = path.with_extension(
        path.extension()
            .map_or("wal".into(), |e| format!("{}-wal", e.to_string_lossy())),
    );
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Ok(());
    }
    let be32 = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let change_counter = be32(24);
    let pages = u64::from(be32(28));
    let size_valid = be32(92) == change_counter && pages > 0;
    let expected = pages * page_size;
    if size_valid && expected > actual {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            expected,
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn supported_version_counts_the_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("t.sqlite"), Locking::Shared).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, supported_version());
    }

    #[test]
    fn a_schema_2_database_keeps_every_row_and_its_cascades_through_the_table_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            MIGRATIONS.to_version(&mut conn, 2).unwrap();
            conn.execute_batch(
                "INSERT INTO documents VALUES ('p1', 'project', x'00', x'00', 1);
                 INSERT INTO changes VALUES ('p1', 1, x'01', x'02');
                 INSERT INTO sync_states VALUES ('p1', 'peer', x'03', 1);
                 INSERT INTO signatures VALUES ('p1', 'tab', x'04', 1, x'05');",
            )
            .unwrap();
            let refused = conn.execute(
                "INSERT INTO documents VALUES ('identities-g', 'identities', x'00', x'00', 1)",
                [],
            );
            assert!(refused.is_err(), "schema 2 knows three kinds");
        }
        let conn = open(&path, Locking::Shared).unwrap();
        let count = |table: &str| -> i64 {
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        for table in ["documents", "changes", "sync_states", "signatures"] {
            assert_eq!(count(table), 1, "{table} kept its row");
        }
        conn.execute(
            "INSERT INTO documents VALUES ('identities-g', 'identities', x'00', x'00', 1)",
            [],
        )
        .unwrap();
        assert!(conn
            .execute(
                "INSERT INTO documents VALUES ('x', 'other', x'00', x'00', 1)",
                []
            )
            .is_err());
        // The other tables still refer to the rebuilt one: deleting cascades, dangling refuses.
        conn.execute("DELETE FROM documents WHERE id = 'p1'", [])
            .unwrap();
        for table in ["changes", "sync_states", "signatures"] {
            assert_eq!(count(table), 0, "{table} followed its document");
        }
        assert!(conn
            .execute("INSERT INTO changes VALUES ('gone', 1, x'01', x'02')", [])
            .is_err());
    }

    #[test]
    fn every_connection_is_durable_and_checks_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite");
        drop(open(&path, Locking::Shared).unwrap());
        let conn = connect(&path).unwrap();
        let get = |p: &str| -> String {
            conn.query_row(&format!("PRAGMA {p}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
        };
        assert_eq!(get("journal_mode"), "Text(\"wal\")");
        assert_eq!(get("synchronous"), "Integer(2)"); // FULL
        assert_eq!(get("foreign_keys"), "Integer(1)");
        assert_eq!(get("busy_timeout"), "Integer(5000)");
        assert_eq!(get("auto_vacuum"), "Integer(2)"); // INCREMENTAL
    }
}
