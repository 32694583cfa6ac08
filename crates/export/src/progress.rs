//! Progress and cancelling of an export that runs off the UI thread: the export counts the
//! bytes it has written against the bytes it will write ([`Bytes`], reported through the
//! shared [`hugme_task::Progress`]), and stops at the next chunk once cancelled.

/// An export's report: bytes written, and bytes it will write in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bytes {
    pub done: u64,
    pub total: u64,
}

/// Shared progress and cancel flag of one export. Cloning shares it.
pub type Progress = hugme_task::Progress<Bytes>;

/// Reports how much the export will write in all.
pub(crate) fn set_total(progress: &Progress, total: u64) {
    progress.report(Bytes { done: 0, total });
}

/// Reports `bytes` more written.
pub(crate) fn advance(progress: &Progress, bytes: u64) {
    progress.update(|b| Bytes {
        done: b.done + bytes,
        ..b
    });
}
