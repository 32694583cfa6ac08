//! Progress and cancelling of an import that runs off the UI thread.
//!
//! A [`Control`] is shared between the import and whoever shows it: the import reports its
//! stage and how far it is, the UI reads that (or is called back) and may cancel. An import
//! looks at the cancel flag between stages and while copying, and a cancelled import stores
//! nothing that is referenced: blobs are written only in the last stage, and a blob stream cut
//! short leaves no file behind.

/// Where an import is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stage {
    #[default]
    Waiting,
    Checking,
    Decoding,
    Scaling,
    Thumbnails,
    Storing,
    Done,
}

/// Shared progress and cancel flag of one import: it reports its stage and the fraction of
/// the whole import done, 0.0 to 1.0. Cloning shares it.
pub type Control = hugme_task::Progress<(Stage, f32)>;

/// Reports a stage and how far the whole import is (0.0 to 1.0; clamped).
pub(crate) fn report(control: &Control, stage: Stage, done: f32) {
    control.report((stage, done.clamp(0.0, 1.0)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_read_back_whole() {
        let control = Control::default();
        assert_eq!(control.last(), (Stage::Waiting, 0.0));
        report(&control, Stage::Thumbnails, 0.625);
        assert_eq!(control.last(), (Stage::Thumbnails, 0.625));
        report(&control, Stage::Done, 1.5);
        assert_eq!(control.last(), (Stage::Done, 1.0));
    }

    #[test]
    fn cancelling_is_seen_by_every_clone() {
        let control = Control::default();
        let seen_by_import = control.clone();
        assert!(!seen_by_import.is_cancelled());
        control.cancel();
        assert!(seen_by_import.is_cancelled());
    }
}
