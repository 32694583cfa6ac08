//! Damage of every kind: a clear error that names the thing, and nothing else lost.

use std::fs::OpenOptions;

use hugme_model::DocumentKind;
use hugme_store::{Error, Store, DATABASE_FILE};

use super::{answer, doc_with, type_into};

/// A folder with two documents that have logs, and one blob.
fn folder() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = store
        .create_document("a", DocumentKind::Project, doc_with("A"))
        .unwrap();
    type_into(&mut a, &store, "bc");
    let mut b = store
        .create_document("b", DocumentKind::Project, doc_with("B"))
        .unwrap();
    type_into(&mut b, &store, "cd");
    let blob = store.put_blob(b"photo bytes").unwrap();
    (dir, blob.hash)
}

fn sql(dir: &std::path::Path, statement: &str) {
    let conn = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    conn.execute_batch(statement).unwrap();
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_unchanged() {
    let (dir, _) = folder();
    sql(dir.path(), "PRAGMA user_version = 99;");
    let before = std::fs::read(dir.path().join(DATABASE_FILE)).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, Error::DatabaseTooNew { found: 99, .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("hugme.sqlite") && text.contains("newer version"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(dir.path().join(DATABASE_FILE)).unwrap(),
        before
    );
}

#[test]
fn a_truncated_database_is_named_and_left_for_recovery() {
    let (dir, _) = folder();
    let path = dir.path().join(DATABASE_FILE);
    let len = std::fs::metadata(&path).unwrap().len();
    OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Truncated { .. }), "{err}");
    assert!(
        err.to_string().contains("hugme.sqlite is truncated"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the damaged file is not touched"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(DATABASE_FILE), vec![7u8; 4096]).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotADatabase { .. }), "{err}");
}

#[test]
fn a_corrupt_change_row_names_the_document_and_change_and_the_rest_is_intact() {
    let (dir, _) = folder();
    sql(
        dir.path(),
        "UPDATE changes SET bytes = CAST(substr(bytes, 1, 10) || x'00ff00ff' || substr(bytes, 15) AS BLOB)
         WHERE document_id = 'a' AND seq = 2;",
    );
    let store = Store::open(dir.path()).unwrap();
    let err = store.open_document("a").unwrap_err();
    assert!(
        matches!(&err, Error::CorruptChange { id, seq: 2, .. } if id == "a"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("change 2 of document a is damaged"),
        "{err}"
    );
    // The other document is untouched, and the damaged one still has its intact rows.
    assert_eq!(answer(&store.open_document("b").unwrap()), "Bcd");
    let docs = store.documents().unwrap();
    let a = docs.iter().find(|d| d.id == "a").unwrap();
    assert_eq!(a.changes, 2, "nothing was deleted to 'repair' the document");
}

#[test]
fn a_change_row_automerge_cannot_read_is_named_even_if_its_hash_was_rewritten() {
    let (dir, _) = folder();
    // Damage that also fixes up the row's hash: only Automerge can tell.
    let garbage = b"not an automerge change";
    let full = blake3::hash(garbage);
    let hash = &full.as_bytes()[..16];
    let conn = rusqlite::Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    conn.execute(
        "UPDATE changes SET bytes = ?1, hash = ?2 WHERE document_id = 'a' AND seq = 1",
        rusqlite::params![&garbage[..], hash],
    )
    .unwrap();
    drop(conn);
    let store = Store::open(dir.path()).unwrap();
    let err = store.open_document("a").unwrap_err();
    assert!(
        matches!(&err, Error::CorruptChange { id, seq: 1, .. } if id == "a"),
        "{err}"
    );
    assert_eq!(answer(&store.open_document("b").unwrap()), "Bcd");
}

#[test]
fn a_blob_whose_bytes_changed_is_named_and_other_data_is_intact() {
    let (dir, hash) = folder();
    let store = Store::open(dir.path()).unwrap();
    let other = store.put_blob(b"another photo").unwrap();
    let path = store.blob_path(&hash).unwrap();
    std::fs::write(&path, b"photo bytez").unwrap();
    let err = store.blob(&hash).unwrap_err();
    assert!(
        matches!(&err, Error::BlobCorrupt { hash: h, .. } if *h == hash),
        "{err}"
    );
    assert!(err.to_string().contains(&hash), "{err}");
    assert_eq!(store.blob(&other.hash).unwrap(), b"another photo");
    assert_eq!(answer(&store.open_document("a").unwrap()), "Abc");
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_corrupt_snapshot_is_named() {
    let (dir, _) = folder();
    sql(
        dir.path(),
        "UPDATE documents SET snapshot = CAST(x'00' || snapshot AS BLOB) WHERE id = 'b';",
    );
    let store = Store::open(dir.path()).unwrap();
    let err = store.open_document("b").unwrap_err();
    assert!(
        matches!(&err, Error::CorruptSnapshot { id } if id == "b"),
        "{err}"
    );
    assert_eq!(answer(&store.open_document("a").unwrap()), "Abc");
}
