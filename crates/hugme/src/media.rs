//! Importing files into a project as content blocks (`hugme media import`, a teacher's bulk
//! import, the app's file picker).

use std::io::Write;
use std::path::PathBuf;

use hugme_media::{import_file, Control, Imported, MediaKind, Settings};
use hugme_model::{Block, BlockId, BlockKind, MediaRef, Page, ProjectId, Step, Text};

use crate::app::App;
use crate::error::Result;

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
