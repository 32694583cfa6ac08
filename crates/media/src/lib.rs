//! Import of photos, drawings, sound and video into a data folder, safely and small.
//!
//! The type is recognised from the content, never the name ([`sniff`]); a name that promises
//! another kind is refused, so a video renamed `.png` does not slip into a photo slot.
//! Pictures are decoded within limits (a decompression bomb is refused from its header), turned
//! upright by their EXIF orientation, stripped of all metadata by re-encoding, scaled down past
//! [`Settings::max_long_edge`], and given thumbnails ([`picture`]). Sound and video are kept as
//! they are after a container check ([`container`]), up to [`Settings::max_media_bytes`].
//! Identical imports are stored once: blobs are named by their BLAKE3 hash.
//!
//! # Layout
//! - [`sniff`]: type recognition. `picture`: the image pipeline. `container`: sound and video
//!   checks. [`error`]: what went wrong, in words a pupil can act on.

mod container;
pub mod error;
mod picture;
pub mod sniff;

use std::path::Path;

use hugme_store::{BlobRef, Store};

pub use error::{Error, Result};
pub use sniff::{MediaKind, MediaType};

/// Limits and sizes of an import.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Pictures with a longer side are scaled down to it.
    pub max_long_edge: u32,
    /// Pictures with more pixels are refused before decoding (decompression bombs).
    pub max_pixels: u64,
    /// Sound and video above this many bytes are refused.
    pub max_media_bytes: u64,
    /// Long edges of the thumbnails made of every picture.
    pub thumbnail_sizes: Vec<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_long_edge: 4096,
            max_pixels: 64_000_000,
            max_media_bytes: 500_000_000,
            thumbnail_sizes: vec![256, 1024],
        }
    }
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub kind: MediaKind,
    pub mime: &'static str,
    pub blob: BlobRef,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// (long edge, blob) of each thumbnail; empty for sound and video.
    pub thumbnails: Vec<(u32, BlobRef)>,
}

/// Imports media from bytes (a camera frame, a drawing canvas, a recording).
pub fn import_bytes(
    store: &Store,
    name: &str,
    bytes: &[u8],
    settings: &Settings,
) -> Result<Imported> {
    if bytes.is_empty() {
        return Err(Error::Empty { name: name.into() });
    }
    let media = sniff::sniff(&bytes[..bytes.len().min(64 * 1024)])
        .ok_or_else(|| Error::Unknown { name: name.into() })?;
    if media == MediaType::Heic {
        return Err(Error::Heic { name: name.into() });
    }
    if let Some(promised) = sniff::kind_of_name(name) {
        if promised != media.kind() {
            return Err(Error::NameMismatch {
                name: name.into(),
                found: media.kind().noun(),
                expected: promised.noun(),
            });
        }
    }
    let save = |b: &[u8]| {
        store.put_blob(b).map_err(|source| Error::Store {
            name: name.into(),
            source: Box::new(source),
        })
    };
    match media.kind() {
        MediaKind::Image => {
            // Everything is prepared before anything is stored: a failure stores nothing.
            let prepared = picture::prepare(name, bytes, settings)?;
            let blob = save(&prepared.bytes)?;
            let thumbnails = prepared
                .thumbnails
                .iter()
                .map(|(size, bytes)| Ok((*size, save(bytes)?)))
                .collect::<Result<Vec<_>>>()?;
            Ok(Imported {
                kind: MediaKind::Image,
                mime: prepared.mime,
                blob,
                width: Some(prepared.width),
                height: Some(prepared.height),
                thumbnails,
            })
        }
        kind => {
            let size = bytes.len() as u64;
            if size > settings.max_media_bytes {
                return Err(Error::TooBig {
                    name: name.into(),
                    size,
                    max: settings.max_media_bytes,
                });
            }
            container::check(name, media, bytes)?;
            Ok(Imported {
                kind,
                mime: media.mime(),
                blob: save(bytes)?,
                width: None,
                height: None,
                thumbnails: Vec::new(),
            })
        }
    }
}

/// Imports a file. Sound and video over the size limit are refused before they are read.
pub fn import_file(store: &Store, path: &Path, settings: &Settings) -> Result<Imported> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let io = |e: std::io::Error| Error::Store {
        name: name.clone(),
        source: Box::new(hugme_store::Error::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    let limit = settings.max_media_bytes.max(settings.max_pixels * 4);
    if size > limit {
        return Err(Error::TooBig {
            name,
            size,
            max: limit,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    import_bytes(store, &name, &bytes, settings)
}
