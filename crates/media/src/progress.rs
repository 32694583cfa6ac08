//! Progress and cancelling of an import that runs off the UI thread.
//!
//! A [`Control`] is shared between the import and whoever shows it: the import reports its
//! stage and how far it is, the UI reads that (or is called back) and may cancel. An import
//! looks at the cancel flag between stages and while copying, and a cancelled import stores
//! nothing that is referenced: blobs are written only in the last stage, and a blob stream cut
//! short leaves no file behind.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Stage {
    Waiting,
    Checking,
    Decoding,
    Scaling,
    Thumbnails,
    Storing,
    Done,
}

impl Stage {
    const ALL: [Stage; 7] = [
        Stage::Waiting,
        Stage::Checking,
        Stage::Decoding,
        Stage::Scaling,
        Stage::Thumbnails,
        Stage::Storing,
        Stage::Done,
    ];
}

type Listener = Box<dyn Fn(Stage, f32) + Send + Sync>;

#[derive(Default)]
struct Shared {
    cancelled: AtomicBool,
    /// Stage in the high byte, fraction done ×10,000 in the low bits: one atomic, so a reader
    /// never sees a new stage with an old fraction.
    position: AtomicU32,
    listener: Option<Listener>,
}

/// Shared progress and cancel flag of one import. Cloning shares it.
#[derive(Clone, Default)]
pub struct Control(Arc<Shared>);

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (stage, done) = self.progress();
        f.debug_struct("Control")
            .field("stage", &stage)
            .field("done", &done)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Control {
    /// A control that also calls `listener` with every report (from the import's thread).
    pub fn with_listener(listener: impl Fn(Stage, f32) + Send + Sync + 'static) -> Self {
        Self(Arc::new(Shared {
            listener: Some(Box::new(listener)),
            ..Shared::default()
        }))
    }

    /// Asks the import to stop at its next check.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// The stage and the fraction of the whole import done, 0.0 to 1.0.
    pub fn progress(&self) -> (Stage, f32) {
        let p = self.0.position.load(Ordering::SeqCst);
        let stage = Stage::ALL
            .get((p >> 24) as usize)
            .copied()
            .unwrap_or(Stage::Done);
        (stage, (p & 0xFF_FFFF) as f32 / 10_000.0)
    }

    /// Reports a stage and how far the whole import is (0.0 to 1.0).
    pub(crate) fn report(&self, stage: Stage, done: f32) {
        let fraction = (done.clamp(0.0, 1.0) * 10_000.0).round() as u32;
        self.0
            .position
            .store(((stage as u32) << 24) | fraction, Ordering::SeqCst);
        if let Some(listener) = &self.0.listener {
            listener(stage, done.clamp(0.0, 1.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_read_back_whole() {
        let control = Control::default();
        assert_eq!(control.progress(), (Stage::Waiting, 0.0));
        control.report(Stage::Thumbnails, 0.625);
        assert_eq!(control.progress(), (Stage::Thumbnails, 0.625));
        control.report(Stage::Done, 1.5);
        assert_eq!(control.progress(), (Stage::Done, 1.0));
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
