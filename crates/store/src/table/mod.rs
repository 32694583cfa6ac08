//! One module per table: the SQL that touches it, and nothing else.

pub(crate) mod blobs;
pub(crate) mod changes;
pub(crate) mod documents;
pub(crate) mod meta;
pub(crate) mod signatures;
pub(crate) mod sync_states;

/// The error of a write into a table whose rows name their document: a foreign key refusing
/// the row means the document is not there.
pub(crate) fn of_document_row(
    e: rusqlite::Error,
    path: &std::path::Path,
    id: &str,
) -> crate::error::Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => {
            crate::error::Error::NoSuchDocument { id: id.into() }
        }
        _ => crate::error::Error::sqlite(path, e),
    }
}
