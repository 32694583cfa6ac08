//! `signatures` and `certificates`: the newest checked signature of each author of a
//! document, and the device certificates that verify them (hugme-sync's authorship).

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

/// A stored signature: (signer, change hash, sequence number, signature).
pub type StoredSignature = (String, Vec<u8>, u64, Vec<u8>);

pub(crate) fn keep(
    conn: &Connection,
    path: &Path,
    document_id: &str,
    (signer, hash, seq, signature): &StoredSignature,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO signatures (document_id, signer, hash, seq, signature)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (document_id, signer) DO UPDATE
         SET hash = ?3, seq = ?4, signature = ?5 WHERE seq < ?4",
    )
    .and_then(|mut s| {
        s.execute(params![
            document_id,
            signer,
            hash,
            i64::try_from(*seq).unwrap_or(i64::MAX),
            signature
        ])
    })
    .map_err(|e| super::of_document_row(e, path, document_id))?;
    Ok(())
}

pub(crate) fn of_document(
    conn: &Connection,
    path: &Path,
    document_id: &str,
) -> Result<Vec<StoredSignature>> {
    conn.prepare_cached(
        "SELECT signer, hash, seq, signature FROM signatures WHERE document_id = ?1 ORDER BY signer",
    )
    .and_then(|mut s| {
        s.query_map([document_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)?.max(0) as u64, r.get(3)?))
        })?
        .collect()
    })
    .map_err(|e| Error::sqlite(path, e))
}

pub(crate) fn keep_certificate(
    conn: &Connection,
    path: &Path,
    device: &str,
    der: &[u8],
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO certificates (device, der) VALUES (?1, ?2)
         ON CONFLICT (device) DO UPDATE SET der = ?2",
    )
    .and_then(|mut s| s.execute(params![device, der]))
    .map_err(|e| Error::sqlite(path, e))?;
    Ok(())
}

pub(crate) fn certificate(conn: &Connection, path: &Path, device: &str) -> Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT der FROM certificates WHERE device = ?1")
        .and_then(|mut s| s.query_row([device], |r| r.get(0)).optional())
        .map_err(|e| Error::sqlite(path, e))
}
