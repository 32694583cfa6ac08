//! Writing an export: plan every file first (so the manifest can list them and progress
//! knows the total), then stream them into a zip. Pages and the manifest are deflated;
//! photos, sound and video are stored as they are (already compressed), copied from the
//! blob files a chunk at a time, so memory does not grow with media size.
//!
//! The zip is written to `<out>.partial` and renamed into place only when complete: a failed
//! or cancelled export leaves nothing behind, and an older export of the same name stays
//! whole until the new one replaces it.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use hugme_model::MediaRef;
use hugme_store::Store;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::cartridge::{self, Version};
use crate::collect::{collect, Portfolio, Scope};
use crate::error::{Error, Result};
use crate::html::{self, PageContext};
use crate::labels;
use crate::progress::{self, Progress};

/// What an export produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// IMS Common Cartridge 1.1 (the default: Moodle imports only 1.0 and 1.1).
    Cc11,
    /// IMS Common Cartridge 1.3.
    Cc13,
    /// A zip of HTML pages that opens offline in any browser.
    Html,
}

/// How to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    /// Include the teacher's review (approval, comments); off unless the teacher says so.
    pub include_feedback: bool,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub projects: usize,
    pub files: usize,
    pub bytes: u64,
}

/// A project's folder in the zip, its page and its media files.
#[derive(Debug)]
pub struct Planned {
    pub dir: String,
    pub page: String,
    pub media: Vec<MediaFile>,
    pub project_id: String,
    pub title: String,
    pub group_id: String,
    pub group_name: String,
}

/// A blob as a file of a project's folder.
#[derive(Debug)]
pub struct MediaFile {
    pub hash: String,
    /// Relative to the project's folder: `media/<hash>.<ext>`.
    pub name: String,
    pub size: u64,
}

/// Exports `scope` to the zip file `out`.
pub fn export(
    store: &Store,
    scope: &Scope,
    options: &Options,
    out: &Path,
    progress: &Progress,
) -> Result<Summary> {
    let portfolio = collect(store, scope)?;
    let labels = labels::for_language(&portfolio.class.settings.language);
    let root = match options.format {
        Format::Html => "projects",
        Format::Cc11 | Format::Cc13 => "web_resources",
    };
    let planned = plan(store, &portfolio, options, root, labels)?;
    let title = match scope {
        Scope::Project(_) => planned[0].title.clone(),
        Scope::Class(_) => portfolio.class.name.as_str().to_owned(),
    };
    let head = match options.format {
        Format::Cc11 => (
            "imsmanifest.xml",
            cartridge::manifest(Version::Cc11, &portfolio, &planned, &title),
        ),
        Format::Cc13 => (
            "imsmanifest.xml",
            cartridge::manifest(Version::Cc13, &portfolio, &planned, &title),
        ),
        Format::Html => {
            let entries: Vec<_> = planned
                .iter()
                .map(|p| {
                    (
                        p.group_name.clone(),
                        p.title.clone(),
                        format!("{}/index.html", p.dir),
                    )
                })
                .collect();
            (
                "index.html",
                html::index_page(
                    &portfolio.class,
                    labels,
                    &entries,
                    &portfolio
                        .unreadable
                        .iter()
                        .map(|u| u.group.clone().unwrap_or_else(|| u.id.clone()))
                        .collect::<Vec<_>>(),
                ),
            )
        }
    };
    let total = head.1.len() as u64
        + planned
            .iter()
            .map(|p| p.page.len() as u64 + p.media.iter().map(|m| m.size).sum::<u64>())
            .sum::<u64>();
    progress::set_total(progress, total);

    // A name of its own per export: an export started while a cancelled one is still
    // winding down must not write into, or have removed, the other's file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = PathBuf::from(format!(
        "{}.{}-{n}.partial",
        out.display(),
        std::process::id()
    ));
    let written = write_zip(store, &partial, &head, &planned, progress);
    match written {
        Ok(files) => {
            std::fs::rename(&partial, out).map_err(|source| {
                let _ = std::fs::remove_file(&partial);
                Error::Write {
                    path: out.to_owned(),
                    source,
                }
            })?;
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                // The rename is durable only once the folder is.
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
            Ok(Summary {
                projects: planned.len(),
                files,
                bytes: total,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

fn plan(
    store: &Store,
    portfolio: &Portfolio,
    options: &Options,
    root: &str,
    labels: &'static labels::Labels,
) -> Result<Vec<Planned>> {
    let mut planned = Vec::new();
    for work in &portfolio.works {
        let p = &work.project;
        let group_name = work
            .group
            .as_ref()
            .map_or(String::new(), |g| g.name.as_str().to_owned());
        let dir = format!(
            "{root}/{}",
            slug(&format!("{group_name} {}", p.title.as_str()), p.id.as_str())
        );
        let cx = PageContext {
            class: &portfolio.class,
            labels,
            include_feedback: options.include_feedback,
            media_href: media_name,
        };
        let page = html::project_page(work, &cx);
        let mut seen = HashSet::new();
        let mut media = Vec::new();
        for block in p.content.pages.iter().flat_map(|pg| &pg.blocks) {
            if let Some(m) = block.media() {
                if seen.insert(m.hash.clone()) {
                    // A picture this device does not hold (not fetched yet, or a reference a
                    // pupil's tools made up) is left out: the page shows it missing, and the
                    // class's export is not lost for it.
                    let Ok(Some(size)) = store.blob_size(&m.hash) else {
                        continue;
                    };
                    media.push(MediaFile {
                        hash: m.hash.clone(),
                        name: media_name(m),
                        size,
                    });
                }
            }
        }
        planned.push(Planned {
            dir,
            page,
            media,
            project_id: p.id.to_string(),
            title: p.title.as_str().to_owned(),
            group_id: p.group_id.to_string(),
            group_name,
        });
    }
    Ok(planned)
}

fn write_zip(
    store: &Store,
    path: &Path,
    head: &(&str, String),
    planned: &[Planned],
    progress: &Progress,
) -> Result<usize> {
    let zip_err = |source| Error::Zip {
        path: path.to_owned(),
        source,
    };
    let io_err = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let file = File::create(path).map_err(io_err)?;
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
    let time = zip_time();
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(time);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(time);
    let mut files = 0;
    let mut text = |zip: &mut ZipWriter<_>, name: &str, body: &str| -> Result<()> {
        zip.start_file(name, deflated).map_err(zip_err)?;
        zip.write_all(body.as_bytes()).map_err(io_err)?;
        progress::advance(progress, body.len() as u64);
        files += 1;
        Ok(())
    };
    // The manifest (or index) first: importers read it before anything else.
    text(&mut zip, head.0, &head.1)?;
    for p in planned {
        text(&mut zip, &format!("{}/index.html", p.dir), &p.page)?;
    }
    let mut buf = vec![0u8; 1 << 20];
    for p in planned {
        for m in &p.media {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let options = stored.large_file(m.size >= u64::from(u32::MAX));
            zip.start_file(format!("{}/{}", p.dir, m.name), options)
                .map_err(zip_err)?;
            let blob = store.blob_path(&m.hash)?;
            let mut source = File::open(&blob).map_err(|source| Error::Write {
                path: blob.clone(),
                source,
            })?;
            loop {
                let n = source.read(&mut buf).map_err(|source| Error::Write {
                    path: blob.clone(),
                    source,
                })?;
                if n == 0 {
                    break;
                }
                zip.write_all(&buf[..n]).map_err(io_err)?;
                progress::advance(progress, n as u64);
                if progress.is_cancelled() {
                    return Err(Error::Cancelled);
                }
            }
            files += 1;
        }
    }
    let mut writer = zip.finish().map_err(zip_err)?;
    writer.flush().map_err(io_err)?;
    let file = writer.into_inner().map_err(|e| io_err(e.into_error()))?;
    file.sync_all().map_err(io_err)?;
    let _ = (&file).stream_position();
    Ok(files)
}

/// `media/<first 16 hex of the hash>.<ext>`: short, ASCII, the same for the same bytes.
fn media_name(m: &MediaRef) -> String {
    let ext = match m.mime.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "audio/webm" | "video/webm" => "webm",
        "audio/ogg" => "ogg",
        "audio/mp4" => "m4a",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" => "wav",
        "video/mp4" => "mp4",
        _ => "bin",
    };
    format!("media/{}.{ext}", &m.hash[..m.hash.len().min(16)])
}

/// A folder name from a group and title: ASCII letters, digits and hyphens, with the start of
/// the id so two projects of the same name never share a folder.
pub fn slug(name: &str, id: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = match c {
            'ä' | 'å' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' => 'u',
            'í' | 'ì' | 'ï' => 'i',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
        if out.len() >= 40 {
            break;
        }
    }
    let short: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    format!("{}-{short}", out.trim_end_matches('-'))
        .trim_start_matches('-')
        .to_owned()
}

/// Now, as a zip timestamp (UTC; zip has no time zones).
fn zip_time() -> zip::DateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    zip::DateTime::from_date_and_time(
        year,
        month,
        day,
        (rem / 3600) as u8,
        (rem % 3600 / 60) as u8,
        (rem % 60) as u8,
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_unique_per_project() {
        assert_eq!(
            slug("Ketut Jäätyvä järvi!", "1a2b3c4d-5e6f"),
            "ketut-jaatyva-jarvi-1a2b3c4d"
        );
        assert_eq!(slug("", "abc"), "abc");
        assert_eq!(slug("Ääkköset ja ÅSA", "x"), "aakkoset-ja-asa-x");
    }

    #[test]
    fn zip_time_is_a_real_date() {
        let t = zip_time();
        assert!(t.year() >= 2024 && (1..=12).contains(&t.month()) && (1..=31).contains(&t.day()));
    }
}
