//! Import errors: each says what is wrong with the file and what the pupil can do.

/// Errors of importing media.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{name} is empty (0 bytes): take the photo or recording again")]
    Empty { name: String },
    #[error(
        "{name} is an HEVC (High Efficiency) video, which most school computers play as sound \
         over a black picture: on the iPad choose Settings › Camera › Formats › Most \
         Compatible and film it again, or share it as H.264"
    )]
    Hevc { name: String },
    #[error("{name} is not a photo, drawing, sound or video this app knows (JPEG, PNG, WebP, GIF, HEIC, AVIF; WebM, Ogg, M4A, MP3, WAV; MP4, WebM)")]
    Unknown { name: String },
    #[error("{name} is {found}, not {expected}: rename it or add it as {found}")]
    NameMismatch {
        name: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error("{name} is damaged and cannot be opened as {kind}: {why}")]
    Damaged {
        name: String,
        kind: &'static str,
        why: String,
    },
    #[error("{name} is too big a picture ({width} × {height} pixels; at most {max_pixels} pixels): make it smaller first")]
    TooManyPixels {
        name: String,
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    #[error("{name} is too big ({size} bytes; at most {max} bytes): record a shorter clip")]
    TooBig { name: String, size: u64, max: u64 },
    #[error("saving {name} failed: {source}")]
    Store {
        name: String,
        #[source]
        source: Box<hugme_store::Error>,
    },
    #[error("could not make a smaller copy of {name}: {why}")]
    Encode { name: String, why: String },
    #[error("the import of {name} was cancelled; nothing was added")]
    Cancelled { name: String },
    #[error("could not read {name}: {source}")]
    Read {
        name: String,
        #[source]
        source: std::io::Error,
    },
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
