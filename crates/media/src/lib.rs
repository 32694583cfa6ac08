//! Import of photos, drawings, sound and video into a data folder, safely and small.
//!
//! The type is recognised from the content, never the name ([`sniff`]); a name that promises
//! another kind is refused, so a video renamed `.png` does not slip into a photo slot.
//! Pictures are decoded within limits (a decompression bomb is refused from its header), turned
//! upright by their EXIF orientation, stripped of all metadata by re-encoding, scaled down past
//! [`Settings::max_long_edge`], and given thumbnails ([`picture`]). Sound and video keep their
//! streams as recorded after a container check ([`container`]), up to
//! [`Settings::max_media_bytes`]; an MP4 or MOV is a sound or a video by its tracks, and its
//! metadata boxes (the recording place among them) are blanked in the stored copy ([`iso`]).
//! Identical imports are stored once: blobs are named by their BLAKE3 hash.
//!
//! Imports run off the UI thread ([`Importing`]), report their stage and progress and can be
//! cancelled ([`progress::Control`]); a cancelled or failed import leaves nothing behind.
//!
//! # Layout
//! - [`sniff`]: type recognition. `picture`: the image pipeline; `jpeg`: libjpeg-turbo (scaled
//!   decoding, encoding, EXIF orientation). `container`: sound and video checks from headers;
//!   [`iso`]: MP4/MOV tracks and metadata boxes; [`webm`]: a live recording's missing duration;
//!   `matroska`: WebM's sound or video by its tracks, and everything but them made void;
//!   `opus_webm`: an Ogg Opus voice note stored as WebM (same packets, a length);
//!   [`tags`] (`edit`: rewrites read through): sound files' tags emptied in place (WAV, MP3,
//!   Ogg in `ogg`, WebM); `heif`: HEIC and AVIF photos through libheif;
//!   [`fragments`]: a fragmented MP4 recording's length.
//!   [`progress`]: progress and cancelling. [`error`]: what went wrong, in words a pupil can
//!   act on. [`received`]: whether a file another device sent is in the form this app stores
//!   (a picture with metadata is refused, never kept).

mod container;
mod edit;
pub mod error;
pub mod fragments;
#[cfg(feature = "heif")]
mod heif;
pub mod iso;
mod jpeg;
mod matroska;
mod ogg;
mod opus_webm;
mod picture;
pub mod progress;
pub mod received;
pub mod sniff;
pub mod tags;
pub mod webm;

use std::borrow::Borrow;
use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use hugme_store::{BlobRef, Store};

pub use error::{Error, Result};
pub use picture::thumbnail;
pub use progress::{Control, Stage};
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
    control: &Control,
) -> Result<Imported> {
    let media = identify(name, bytes, &mut Cursor::new(bytes), bytes.len() as u64)?;
    if media.kind() == MediaKind::Image {
        return store_picture(store, name, bytes, settings, control);
    }
    store_stream(
        store,
        name,
        media,
        &mut Cursor::new(bytes),
        bytes.len() as u64,
        settings,
        control,
    )
}

/// Imports a file. Sound and video are checked from their headers and streamed into the store
/// (never held in memory whole); anything over the size limit is refused before it is read.
pub fn import_file(
    store: &Store,
    path: &Path,
    settings: &Settings,
    control: &Control,
) -> Result<Imported> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let read_error = |source| Error::Read {
        name: name.clone(),
        source,
    };
    let mut file = File::open(path).map_err(read_error)?;
    let len = file.metadata().map_err(read_error)?.len();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut file)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(read_error)?;
    let media = identify(&name, &head, &mut file, len)?;
    if media.kind() == MediaKind::Image {
        // A picture file bigger than its pixels could ever need is not read at all.
        let limit = settings.max_pixels.saturating_mul(4);
        if len > limit {
            return Err(Error::TooBig {
                name,
                size: len,
                max: limit,
            });
        }
        // The rest of the file joins the head already read.
        let mut bytes = head;
        file.read_to_end(&mut bytes).map_err(read_error)?;
        return store_picture(store, &name, &bytes, settings, control);
    }
    store_stream(store, &name, media, &mut file, len, settings, control)
}

/// An import running on a thread of its own, so that the UI thread never waits for it.
#[derive(Debug)]
pub struct Importing {
    control: Control,
    thread: JoinHandle<Result<Imported>>,
}

impl Importing {
    /// Starts importing a file; `control` reports progress and can cancel.
    pub fn start<S>(store: S, path: PathBuf, settings: Settings, control: Control) -> Self
    where
        S: Borrow<Store> + Send + 'static,
    {
        let theirs = control.clone();
        let thread =
            std::thread::spawn(move || import_file(store.borrow(), &path, &settings, &theirs));
        Self { control, thread }
    }

    pub fn control(&self) -> &Control {
        &self.control
    }

    /// Asks the import to stop; [`Importing::wait`] then returns [`Error::Cancelled`] unless
    /// the import had already finished.
    pub fn cancel(&self) {
        self.control.cancel();
    }

    /// Waits for the import to end.
    pub fn wait(self) -> Result<Imported> {
        self.thread.join().unwrap_or_else(|panic| {
            // A panic in a decoder must reach the pupil as an error, not take the app down.
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the importer stopped unexpectedly".into());
            Err(Error::Encode {
                name: "the file".into(),
                why,
            })
        })
    }
}

/// How much of the start of a file type recognition looks at.
const SNIFF_BYTES: usize = 64 * 1024;

/// The media type, from the content (`head`, the start of `source`, which is `len` bytes
/// long); the name may only agree with it. An MP4 is a sound or a video by its tracks.
fn identify<S: Read + Seek>(
    name: &str,
    head: &[u8],
    source: &mut S,
    len: u64,
) -> Result<MediaType> {
    if head.is_empty() {
        return Err(Error::Empty { name: name.into() });
    }
    let mut media = sniff::sniff(&head[..head.len().min(SNIFF_BYTES)])
        .ok_or_else(|| Error::Unknown { name: name.into() })?;
    if matches!(media, MediaType::WebmAudio | MediaType::WebmVideo) {
        media = match matroska::kind_by_tracks(source, len) {
            Some(MediaKind::Video) => MediaType::WebmVideo,
            Some(_) => MediaType::WebmAudio,
            None => media,
        };
    }
    if matches!(media, MediaType::Mp4 | MediaType::M4a) {
        // A file whose tracks cannot be read keeps the brand's guess: the container check
        // then names what is wrong with it.
        match iso::kind_by_tracks(source, len) {
            Ok(Some(MediaKind::Audio)) => media = MediaType::M4a,
            Ok(Some(MediaKind::Video)) => media = MediaType::Mp4,
            _ => {}
        }
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
    Ok(media)
}

fn store_error(name: &str, source: hugme_store::Error) -> Error {
    Error::Store {
        name: name.into(),
        source: Box::new(source),
    }
}

fn store_picture(
    store: &Store,
    name: &str,
    bytes: &[u8],
    settings: &Settings,
    control: &Control,
) -> Result<Imported> {
    // Everything is prepared before anything is stored: a failure stores nothing.
    let prepared = picture::prepare(name, bytes, settings, control)?;
    let save = |b: &[u8]| store.put_blob(b).map_err(|e| store_error(name, e));
    let blob = save(&prepared.bytes)?;
    let thumbnails = prepared
        .thumbnails
        .iter()
        .map(|(size, bytes)| Ok((*size, save(bytes)?)))
        .collect::<Result<Vec<_>>>()?;
    progress::report(control, Stage::Done, 1.0);
    Ok(Imported {
        kind: MediaKind::Image,
        mime: prepared.mime,
        blob,
        width: Some(prepared.width),
        height: Some(prepared.height),
        thumbnails,
    })
}

fn store_stream<S: Read + Seek>(
    store: &Store,
    name: &str,
    media: MediaType,
    source: &mut S,
    len: u64,
    settings: &Settings,
    control: &Control,
) -> Result<Imported> {
    progress::report(control, Stage::Checking, 0.02);
    if len > settings.max_media_bytes {
        return Err(Error::TooBig {
            name: name.into(),
            size: len,
            max: settings.max_media_bytes,
        });
    }
    container::check(name, media, source, len)?;
    // A voice note in Ogg Opus: the same packets as WebM, which every player can measure.
    let opus = media == MediaType::Ogg && len <= opus_webm::MAX_REMUX_BYTES as u64 && {
        let mut first_page = [0u8; 27 + 255 + 8];
        let n = source
            .seek(std::io::SeekFrom::Start(0))
            .and_then(|_| source.read(&mut first_page))
            .unwrap_or(0);
        opus_webm::opens_opus(&first_page[..n])
    };
    if opus {
        let mut ogg = Vec::with_capacity(len as usize);
        source
            .seek(std::io::SeekFrom::Start(0))
            .and_then(|_| source.take(len).read_to_end(&mut ogg))
            .map_err(|e| Error::Read {
                name: name.into(),
                source: e,
            })?;
        if let Some(webm) = opus_webm::remux(&ogg) {
            progress::report(control, Stage::Storing, 0.5);
            let blob = store.put_blob(&webm).map_err(|e| store_error(name, e))?;
            progress::report(control, Stage::Done, 1.0);
            return Ok(Imported {
                kind: MediaKind::Audio,
                mime: MediaType::WebmAudio.mime(),
                blob,
                width: None,
                height: None,
                thumbnails: Vec::new(),
            });
        }
    }
    // Everything the stored copy rewrites in place, nothing moving: sound files' and WebM's
    // tags (titles, names, places) and a WAV's sizes; an MP4's metadata and padding boxes
    // blanked and a live MP4 recording's length measured from its fragments. Read through
    // from here on: the duration's measuring and the stored copy alike.
    let damaged = |why| Error::Damaged {
        name: name.into(),
        kind: media.kind().noun(),
        why,
    };
    let mut edits = tags::edits(media, source, len).map_err(damaged)?;
    if media == MediaType::Wav {
        // Checked by `container::check` above.
        let sizes = container::wav_sizes(source, len).unwrap_or_default();
        edits.extend(container::patching(&sizes));
    }
    if matches!(media, MediaType::Mp4 | MediaType::M4a) {
        if media == MediaType::Mp4 {
            let codecs = iso::video_codecs(source, len).unwrap_or_default();
            if codecs.iter().any(|c| c == b"hvc1" || c == b"hev1") {
                return Err(Error::Hevc { name: name.into() });
            }
        }
        let mut boxes = iso::metadata_boxes(source, len).map_err(damaged)?;
        boxes.extend(iso::padding_boxes(source, len).map_err(damaged)?);
        let repair = fragments::repair(source, len).unwrap_or_default();
        boxes.extend(repair.stray);
        edits.extend(iso::blanking(&boxes));
        edits.extend(container::patching(&repair.patches));
    }
    let read_error = |e| Error::Read {
        name: name.into(),
        source: e,
    };
    source
        .seek(std::io::SeekFrom::Start(0))
        .map_err(read_error)?;
    let source = &mut edit::Edited::new(source, edits).map_err(read_error)?;
    // A live recording's WebM: its duration written in (its head rewritten, the rest as is).
    let with_duration = match media {
        MediaType::WebmAudio | MediaType::WebmVideo => webm::missing_duration(source, len)
            .and_then(|fix| Some((fix.head(source)?, fix.rest_from()))),
        _ => None,
    };
    let from = with_duration.as_ref().map_or(0, |(_, rest)| *rest);
    source
        .seek(std::io::SeekFrom::Start(from))
        .map_err(|e| Error::Read {
            name: name.into(),
            source: e,
        })?;
    progress::report(control, Stage::Storing, 0.05);
    let watched = Watched {
        source,
        control,
        copied: from,
        len,
    };
    let mut stored: Box<dyn Read + '_> = match with_duration {
        Some((head, _)) => Box::new(Cursor::new(head).chain(watched)),
        None => Box::new(watched),
    };
    let blob = store.put_blob_from(&mut stored).map_err(|e| {
        if control.is_cancelled() {
            Error::Cancelled { name: name.into() }
        } else {
            store_error(name, e)
        }
    })?;
    progress::report(control, Stage::Done, 1.0);
    Ok(Imported {
        kind: media.kind(),
        mime: media.mime(),
        blob,
        width: None,
        height: None,
        thumbnails: Vec::new(),
    })
}

/// A reader that reports how much has been copied and stops when the import is cancelled
/// (the store then deletes the partial file).
struct Watched<'a, S> {
    source: &'a mut S,
    control: &'a Control,
    copied: u64,
    len: u64,
}

impl<S: Read> Read for Watched<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.control.is_cancelled() {
            return Err(std::io::Error::other("the import was cancelled"));
        }
        let n = self.source.read(buf)?;
        self.copied += n as u64;
        let done = self.copied as f32 / self.len.max(1) as f32;
        progress::report(self.control, Stage::Storing, 0.05 + 0.94 * done);
        Ok(n)
    }
}
