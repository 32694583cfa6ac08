//! Importing files into a project as content blocks (`hugme media import`, a teacher's bulk
//! import, the app's file picker).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use hugme_media::{import_file, Control, Imported, MediaKind, Settings};
use hugme_model::{Block, BlockId, BlockKind, MediaRef, Page, ProjectId, Step, Text};

use crate::error::Result;
use crate::App;

/// A stored photo, sound, video or drawing opened for reading (the app's `media://` protocol
/// serves it by hash).
#[derive(Debug)]
pub struct MediaFile {
    /// At its start.
    pub file: File,
    /// In bytes.
    pub len: u64,
    /// Sniffed from the file's first bytes (never taken from a request or a file name);
    /// `application/octet-stream` when it is none of the kinds the app stores.
    pub mime: &'static str,
}

impl App {
    /// Imports a photo, sound or video file's bytes (checked, photos stripped and scaled,
    /// thumbnails made) and returns the block that shows it, on no page yet.
    ///
    /// # Errors
    /// [`crate::Error::Media`] for a file that is not one the app takes, or is damaged.
    pub fn import_block(&self, name: &str, bytes: &[u8]) -> Result<Block> {
        let imported = hugme_media::import_bytes(
            self.store(),
            name,
            bytes,
            &Settings::default(),
            &Control::default(),
        )?;
        Ok(block_of(imported))
    }

    /// Opens the stored media file with this hash (BLAKE3, hex); `None` when this device does
    /// not have it (yet).
    ///
    /// # Errors
    /// The store's, for a hash that is not one (64 hex digits), or a file that cannot be read.
    pub fn open_media(&self, hash: &str) -> Result<Option<MediaFile>> {
        let path = self.store().blob_path(hash)?;
        let io = |source| hugme_store::Error::Io {
            path: path.clone(),
            source,
        };
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e).into()),
        };
        let len = file.metadata().map_err(io)?.len();
        let mut head = Vec::with_capacity(64);
        (&mut file).take(64).read_to_end(&mut head).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mime =
            hugme_media::sniff::sniff(&head).map_or("application/octet-stream", |t| t.mime());
        Ok(Some(MediaFile { file, len, mime }))
    }
}

/// Imports each file; one refused file does not stop the others. Writes a line per file to
/// `out` and returns how many were refused.
pub fn import_files(
    app: &App,
    project: &ProjectId,
    files: &[PathBuf],
    out: &mut dyn Write,
) -> Result<usize> {
    app.project(project)?; // a wrong id fails before any file is read
    let settings = Settings::default();
    let mut blocks = Vec::new();
    let mut refused = 0;
    for path in files {
        match import_file(app.store(), path, &settings, &Control::default()) {
            Ok(imported) => {
                let _ = writeln!(
                    out,
                    "{}: stored {} {} ({} bytes{})",
                    path.display(),
                    imported.mime,
                    imported.blob.hash,
                    imported.blob.size,
                    imported
                        .width
                        .zip(imported.height)
                        .map_or(String::new(), |(w, h)| format!(", {w}×{h}"))
                );
                blocks.push(block_of(imported));
            }
            Err(e) => {
                refused += 1;
                let _ = writeln!(out, "{}: refused: {e}", path.display());
            }
        }
    }
    if !blocks.is_empty() {
        app.update_project(project, |p| {
            if p.content.pages.is_empty() {
                p.content.pages.push(Page::new(""));
            }
            if let Some(page) = p.content.pages.first_mut() {
                page.blocks.extend(blocks);
            }
            p.touch(Step::Content);
            Ok(())
        })?;
    }
    Ok(refused)
}

/// The content block that shows an imported file, with its thumbnails when it is a picture.
pub fn block_of(imported: Imported) -> Block {
    let thumbnail_of = |edge: u32| {
        imported
            .thumbnails
            .iter()
            .find(|(e, _)| *e == edge)
            .map(|(_, blob)| blob.hash.clone())
    };
    let media = MediaRef {
        thumbnail: thumbnail_of(256),
        preview: thumbnail_of(1024),
        hash: imported.blob.hash,
        mime: imported.mime.into(),
        size: imported.blob.size,
        width: imported.width.map(u64::from),
        height: imported.height.map(u64::from),
        caption: Text::with_value(""),
    };
    let kind = match imported.kind {
        MediaKind::Image => BlockKind::Photo { media },
        MediaKind::Audio => BlockKind::Audio { media },
        MediaKind::Video => BlockKind::Video { media },
    };
    Block {
        id: BlockId::random(),
        kind,
    }
}
