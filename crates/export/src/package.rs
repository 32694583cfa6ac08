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

use hugme_model::{BlockKind, MediaRef};
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
    /// A Moodle course backup (`.mbz`): sections named by the groups ([`crate::moodle`]).
    MoodleBackup,
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
    /// Photos, drawings, sound and video that pages use and this device did not hold (not
    /// arrived yet): each such page says so, and an export made once they arrive has them.
    pub missing: Vec<Missing>,
}

/// A photo, drawing, sound or video left out of an export: this device does not hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub group: String,
    pub project: String,
    pub kind: MediaKind,
}

/// What kind of content block a missing file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Photo,
    Drawing,
    Audio,
    Video,
}

/// A project's page and media in the zip.
#[derive(Debug)]
pub struct Planned {
    /// The page's path in the zip.
    pub page_path: String,
    /// The folder its media files are in (`<media_dir>/media/<hash>.<ext>`).
    pub media_dir: String,
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
    /// As the project names it (`audio/webm`, `image/jpeg`).
    pub mime: String,
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
    let (planned, missing) = plan(store, &portfolio, options, labels)?;
    let title = match scope {
        Scope::Project(_) => planned[0].title.clone(),
        Scope::Class(_) => portfolio.class.name.as_str().to_owned(),
    };
    let unreadable: Vec<String> = portfolio
        .unreadable
        .iter()
        .map(|u| u.group.clone().unwrap_or_else(|| u.id.clone()))
        .collect();
    let entries = |linked: bool| -> Vec<html::Entry> {
        planned
            .iter()
            .map(|p| html::Entry {
                group: p.group_name.clone(),
                title: p.title.clone(),
                href: linked.then(|| p.page_path.clone()),
            })
            .collect()
    };
    // What goes into the zip: the files before the projects' (the manifest first: importers
    // read it before anything else; and a cartridge's first page, what the export holds:
    // section 0 of a Moodle course, so that the groups start at section 1), each project's
    // page, then the media files.
    let pages_and_media = || -> (Vec<(String, &str)>, Vec<ZipMedia>) {
        (
            planned
                .iter()
                .map(|p| (p.page_path.clone(), p.page.as_str()))
                .collect(),
            planned
                .iter()
                .flat_map(|p| {
                    p.media.iter().map(|m| ZipMedia {
                        path: format!("{}/{}", p.media_dir, m.name),
                        hash: m.hash.clone(),
                        size: m.size,
                    })
                })
                .collect(),
        )
    };
    let (heads, pages, media): (Vec<(String, String)>, _, _) = match options.format {
        Format::Html => {
            let index =
                html::index_page(&portfolio.class, labels, &entries(true), &unreadable, None);
            let (pages, media) = pages_and_media();
            (vec![("index.html".into(), index)], pages, media)
        }
        // A backup's pages are among its files, and its media named by their SHA-1.
        Format::MoodleBackup => {
            let about =
                html::index_page(&portfolio.class, labels, &entries(false), &unreadable, None);
            let backup = moodle_backup(store, &planned, (&title, labels.about_export), about, out)?;
            (backup.files, Vec::new(), backup.media)
        }
        Format::Cc11 | Format::Cc13 => {
            let version = if options.format == Format::Cc11 {
                Version::Cc11
            } else {
                Version::Cc13
            };
            let about = cartridge::about_path(version);
            let day = zip_time();
            let day = format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day());
            let heads = vec![
                (
                    "imsmanifest.xml".into(),
                    cartridge::manifest(version, &portfolio, &planned, &title, labels),
                ),
                (
                    about.into(),
                    html::index_page(
                        &portfolio.class,
                        labels,
                        &entries(false),
                        &unreadable,
                        Some(&day),
                    ),
                ),
            ];
            let (pages, media) = pages_and_media();
            (heads, pages, media)
        }
    };
    let total = heads.iter().map(|h| h.1.len() as u64).sum::<u64>()
        + pages.iter().map(|p| p.1.len() as u64).sum::<u64>()
        + media.iter().map(|m| m.size).sum::<u64>();
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
    let written = write_zip(store, &partial, &heads, &pages, &media, progress);
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
                missing,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Where a project's page and media go, and how its page refers to them: the HTML portfolio
/// and a CC 1.1 cartridge keep them in one folder, referred to relatively (Moodle attaches a
/// file to the page only for a plain relative path: `backup/cc/entity11.resource.class.php`);
/// CC 1.3 puts pages in `wiki_content/` (Canvas imports them as pages, not files) and media in
/// `web_resources/`, referred to as `$IMS-CC-FILEBASE$/…` (how Canvas, and Instructure's
/// cartridge viewer, resolve them).
fn layout(format: Format, slug: &str) -> (String, String, String) {
    match format {
        Format::Html => (
            format!("projects/{slug}/index.html"),
            format!("projects/{slug}"),
            String::new(),
        ),
        Format::Cc11 => (
            format!("web_resources/{slug}/index.html"),
            format!("web_resources/{slug}"),
            String::new(),
        ),
        Format::Cc13 => (
            format!("wiki_content/{slug}.html"),
            format!("web_resources/{slug}"),
            format!("$IMS-CC-FILEBASE$/{slug}/"),
        ),
        // A page's files are attached to it (`files.xml`), at `/media/` in its file area.
        Format::MoodleBackup => (String::new(), String::new(), "@@PLUGINFILE@@/".into()),
    }
}

fn plan(
    store: &Store,
    portfolio: &Portfolio,
    options: &Options,
    labels: &'static labels::Labels,
) -> Result<(Vec<Planned>, Vec<Missing>)> {
    let mut planned = Vec::new();
    let mut missing = Vec::new();
    for work in &portfolio.works {
        let p = &work.project;
        let group_name = work
            .group
            .as_ref()
            .map_or(String::new(), |g| g.name.as_str().to_owned());
        let slug = slug(&format!("{group_name} {}", p.title.as_str()), p.id.as_str());
        let (page_path, media_dir, href_base) = layout(options.format, &slug);
        let mut held = HashSet::new();
        let mut media = Vec::new();
        // The pages' media, then the spoken answers' recordings.
        let referenced = p
            .content
            .pages
            .iter()
            .flat_map(|pg| &pg.blocks)
            .filter_map(|block| Some((block.media()?, media_kind(&block.kind))))
            .chain(
                p.voice_answers_shown()
                    .into_iter()
                    .map(|v| (&v.audio, MediaKind::Audio)),
            );
        for (m, kind) in referenced {
            if held.contains(&m.hash) {
                continue;
            }
            // A file this device does not hold (not arrived yet, or a reference a pupil's
            // tools made up) is left out: the page says so, and the export is not lost for it.
            match store.blob_size(&m.hash) {
                Ok(Some(size)) if store.blob_path(&m.hash).is_ok_and(|b| b.is_file()) => {
                    held.insert(m.hash.clone());
                    media.push(MediaFile {
                        hash: m.hash.clone(),
                        name: media_name(m),
                        size,
                        mime: m.mime.clone(),
                    });
                }
                _ => missing.push(Missing {
                    group: group_name.clone(),
                    project: p.title.as_str().to_owned(),
                    kind,
                }),
            }
        }
        let href = |m: &MediaRef| {
            held.contains(&m.hash)
                .then(|| format!("{href_base}{}", media_name(m)))
        };
        let cx = PageContext {
            class: &portfolio.class,
            labels,
            include_feedback: options.include_feedback,
            media_href: &href,
        };
        let page = html::project_page(work, &cx);
        planned.push(Planned {
            page_path,
            media_dir,
            page,
            media,
            project_id: p.id.to_string(),
            title: p.title.as_str().to_owned(),
            group_id: p.group_id.to_string(),
            group_name,
        });
    }
    Ok((planned, missing))
}

fn write_zip(
    store: &Store,
    path: &Path,
    heads: &[(String, String)],
    pages: &[(String, &str)],
    media: &[ZipMedia],
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
    for (name, body) in heads {
        text(&mut zip, name, body)?;
    }
    for (path, page) in pages {
        text(&mut zip, path, page)?;
    }
    let mut buf = vec![0u8; 1 << 20];
    for m in media {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let options = stored.large_file(m.size >= u64::from(u32::MAX));
        zip.start_file(m.path.as_str(), options).map_err(zip_err)?;
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
    let mut writer = zip.finish().map_err(zip_err)?;
    writer.flush().map_err(io_err)?;
    let file = writer.into_inner().map_err(|e| io_err(e.into_error()))?;
    file.sync_all().map_err(io_err)?;
    let _ = (&file).stream_position();
    Ok(files)
}

/// A media file of the zip: where, which blob, how big.
#[derive(Debug)]
struct ZipMedia {
    path: String,
    hash: String,
    size: u64,
}

/// A Moodle backup: its XML files (path, text) and its media files.
struct Backup {
    files: Vec<(String, String)>,
    media: Vec<ZipMedia>,
}

/// A Moodle backup's XML files and its media files (each blob once, under `files/` by its
/// SHA-1, which is read from the blob first: the backup names files by it).
/// `titles`: the course's, and its first page's.
fn moodle_backup(
    store: &Store,
    planned: &[Planned],
    (title, about_title): (&str, &str),
    about: String,
    out: &Path,
) -> Result<Backup> {
    use sha1::{Digest, Sha1};
    let mut sections: Vec<String> = Vec::new();
    let mut pages = vec![crate::moodle::Page {
        section: 0,
        title: crate::lms::title(about_title),
        html: &about,
        media: Vec::new(),
    }];
    let mut media: Vec<ZipMedia> = Vec::new();
    let mut sha1s: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut buf = vec![0u8; 1 << 20];
    for p in planned {
        if !sections.contains(&p.group_name) {
            sections.push(p.group_name.clone());
        }
        let section = 1 + sections
            .iter()
            .position(|s| s == &p.group_name)
            .expect("pushed");
        let mut attached = Vec::new();
        for m in &p.media {
            let sha1 = match sha1s.get(&m.hash) {
                Some(known) => known.clone(),
                None => {
                    let blob = store.blob_path(&m.hash)?;
                    let read = |source| Error::Write {
                        path: blob.clone(),
                        source,
                    };
                    let mut file = File::open(&blob).map_err(read)?;
                    let mut hasher = Sha1::new();
                    loop {
                        let n = file.read(&mut buf).map_err(read)?;
                        if n == 0 {
                            break;
                        }
                        hasher.update(&buf[..n]);
                    }
                    let hex: String = hasher
                        .finalize()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    sha1s.insert(m.hash.clone(), hex.clone());
                    media.push(ZipMedia {
                        path: format!("files/{}/{hex}", &hex[..2]),
                        hash: m.hash.clone(),
                        size: m.size,
                    });
                    hex
                }
            };
            let name = m.name.trim_start_matches("media/").to_owned();
            attached.push((name, sha1, m.size, m.mime.clone()));
        }
        pages.push(crate::moodle::Page {
            section,
            title: crate::lms::title(&format!("{}: {}", p.group_name, p.title)),
            html: &p.page,
            media: attached,
        });
    }
    let name = out.file_name().map_or_else(
        || "hugme.mbz".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let files = crate::moodle::files(title, &name, &sections, &pages, time);
    Ok(Backup { files, media })
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

/// What kind of media a block holds (a text block holds none: photo, as a default).
fn media_kind(kind: &BlockKind) -> MediaKind {
    match kind {
        BlockKind::Drawing { .. } => MediaKind::Drawing,
        BlockKind::Audio { .. } => MediaKind::Audio,
        BlockKind::Video { .. } => MediaKind::Video,
        _ => MediaKind::Photo,
    }
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
