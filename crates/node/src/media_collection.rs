//! Media no document refers to any more: a deleted photo's file (and its thumbnails) leaves
//! the device once nothing names it.
//!
//! When it is safe: a blob is named by the *current* state of the documents that hold it
//! (`hugme_sync::replica::references`; history does not count, since no view, export or peer
//! asks for what only an old version shows). A peer that has not heard of the deletion yet
//! still names the blob, but holds it already or will hear of the deletion with the next
//! change; a device only fetches blobs its own documents name, so a collected blob does not
//! come back. Blobs stored in the last [`GRACE_MS`] stay whatever refers to them (an import
//! writes the file first and the document after; a program stopped between the two is
//! collected next time). Nothing is collected if any document cannot be read (it may name
//! any of them). It runs as a program opens the data folder ([`crate::membership::open`]),
//! before anything else can write a blob into it, at most once a day ([`collect_daily`]): it
//! reads every document, which is not to be paid at every start.

use std::collections::HashSet;

use hugme_app::App;

use crate::error::Result;

/// How long a blob is kept whether or not anything refers to it (ms).
pub const GRACE_MS: i64 = 60 * 60 * 1000;
/// How often a folder is looked through at most (ms).
pub const EVERY_MS: i64 = 24 * 60 * 60 * 1000;
/// The meta key of when the folder was last looked through (ms since the epoch).
const COLLECTED_AT: &str = "media-collected-at";

/// [`collect`] with the grace period, unless the folder was looked through in the last
/// [`EVERY_MS`]. Returns (blobs, bytes) deleted.
///
/// # Errors
/// As [`collect`]; the store's, recording when.
pub fn collect_daily(app: &App) -> Result<(usize, u64)> {
    let now = hugme_store::now_ms();
    let last = app
        .store()
        .meta(COLLECTED_AT)?
        .and_then(|at| at.parse::<i64>().ok());
    if last.is_some_and(|at| (0..EVERY_MS).contains(&(now - at))) {
        return Ok((0, 0));
    }
    let collected = collect(app, now - GRACE_MS)?;
    app.store().set_meta(COLLECTED_AT, &now.to_string())?;
    Ok(collected)
}

/// Deletes the blobs stored before `before` (ms since the epoch) that no document of the
/// folder refers to. Returns (blobs, bytes) deleted.
///
/// # Errors
/// The store's (listing documents, deleting files).
pub fn collect(app: &App, before: i64) -> Result<(usize, u64)> {
    let mut keep = HashSet::new();
    // Through the app's open documents: the app keeps them, rather than load each again.
    let mut documents = hugme_task::lock(app.documents());
    for info in app.store().documents()? {
        let Ok(Some(stored)) = documents.open(&info.id) else {
            return Ok((0, 0));
        };
        keep.extend(hugme_sync::replica::references(stored.doc()));
    }
    drop(documents);
    Ok(app.store().collect_blobs(&keep, before)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hugme_app::api::edit::Edit;

    #[test]
    fn a_deleted_photos_files_go_once_nothing_refers_to_them_and_a_kept_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        app.set_device("tablet").unwrap();
        let class = app.create_class_document("5B", &["Ketut"]).unwrap();
        let project = app
            .create_project(&class.id, &class.groups[0].id, "Myrsky")
            .unwrap();
        let photo = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/photos/storm.jpg"
        ))
        .unwrap();
        app.edit_project(project.as_str(), &Edit::AddPage { id: "pg".into() })
            .unwrap();
        let page = "pg".to_owned();
        let kept = app
            .add_media_block(project.as_str(), &page, "kept.jpg", &photo)
            .unwrap();
        let located = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/photos/storm-orientation-6.jpg"
        ))
        .unwrap();
        let gone = app
            .add_media_block(project.as_str(), &page, "turned.jpg", &located)
            .unwrap();
        let blobs_before = app.store().blobs().unwrap().len();
        assert_eq!(blobs_before, 6, "two pictures, each with two thumbnails");
        let id = |b: &hugme_app::api::view::BlockView| match b {
            hugme_app::api::view::BlockView::Photo { id, .. } => id.clone(),
            other => panic!("not a photo: {other:?}"),
        };
        let kept_hash = match &kept {
            hugme_app::api::view::BlockView::Photo { media, .. } => media.hash.clone(),
            other => panic!("not a photo: {other:?}"),
        };
        app.edit_project(
            project.as_str(),
            &Edit::RemoveBlock {
                page_id: page.clone(),
                id: id(&gone),
            },
        )
        .unwrap();
        // Within the grace period, nothing goes.
        let now = hugme_store::now_ms();
        assert_eq!(collect(&app, now - GRACE_MS).unwrap(), (0, 0));
        let (count, bytes) = collect(&app, now + 1).unwrap();
        assert_eq!(count, 3, "the removed picture and its two thumbnails");
        assert!(bytes > 0);
        let left: Vec<String> = app
            .store()
            .blobs()
            .unwrap()
            .into_iter()
            .map(|b| b.hash)
            .collect();
        assert_eq!(left.len(), 3);
        assert!(left.contains(&kept_hash));
        for hash in &left {
            assert!(
                app.store().blob(hash).is_ok(),
                "a kept blob's file is there"
            );
        }
        assert_eq!(collect(&app, now + 1).unwrap(), (0, 0));
        // Looked through at most once a day as folders are opened.
        assert_eq!(collect_daily(&app).unwrap(), (0, 0));
        assert!(app.store().meta(COLLECTED_AT).unwrap().is_some());
    }
}
