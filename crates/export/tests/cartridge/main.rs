//! Exports of a real data folder, checked as an LMS would take them: every cartridge
//! validates against the IMS schemas in `schemas/` (xmllint, offline, through the catalog),
//! every reference and file in its manifest resolves, and the HTML portfolio opens offline
//! in headless Chromium.

mod checks;
mod lms;
mod moodle;
mod portfolio;
mod voice;

use std::path::{Path, PathBuf};

use hugme_model::document::Document;
use hugme_model::{
    read, write, Block, BlockId, BlockKind, Class, Comment, MediaRef, Pin, Project, Review, Step,
    Text,
};
use hugme_store::Store;

/// The data folder of these tests, written straight into its store (the export reads the
/// store; the facade above it is not needed here).
struct Bare<'a>(&'a Store);

/// A fixture that could not be written (the test fails with its words).
#[derive(Debug)]
pub struct Failed(#[allow(dead_code, reason = "read by Debug when a test fails")] String);

impl From<hugme_sample::PictureError> for Failed {
    fn from(e: hugme_sample::PictureError) -> Self {
        Failed(e.to_string())
    }
}

impl From<hugme_store::Error> for Failed {
    fn from(e: hugme_store::Error) -> Self {
        Failed(e.to_string())
    }
}

impl hugme_sample::Folder for Bare<'_> {
    type Error = Failed;

    fn create<T: Document>(&self, id: &str, value: &T) -> Result<(), Failed> {
        let mut doc = automerge::AutoCommit::new();
        write(&mut doc, value).map_err(|e| Failed(e.to_string()))?;
        self.0.create_document(id, T::KIND, doc)?;
        Ok(())
    }

    fn add_picture(&self, png: &[u8]) -> Result<(String, u64), Failed> {
        let blob = self.0.put_blob(png)?;
        Ok((blob.hash, blob.size))
    }
}

/// Reads a document of `store`, changes it with `f` and writes the change durably.
pub fn change<T: Document>(store: &Store, id: &str, f: impl FnOnce(&mut T)) {
    let mut doc = store.open_document(id).unwrap();
    let mut value: T = read(doc.doc()).unwrap().value;
    f(&mut value);
    write(doc.doc_mut(), &value).unwrap();
    doc.commit(store).wait().unwrap();
}

/// A class of two groups (the sample class) with a photo, a pupil with a protected identity
/// and a teacher's review; returns (class id, a project id).
pub fn sample(dir: &Path) -> (String, String) {
    let store = Store::open(dir).unwrap();
    let demo = hugme_sample::create(&Bare(&store)).unwrap();
    let project = demo.projects[0].clone();
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos/storm.jpg");
    let imported = hugme_media::import_file(
        &store,
        &photo,
        &hugme_media::Settings::default(),
        &hugme_media::Control::default(),
    )
    .unwrap();
    let mut group = None;
    change::<Project>(&store, project.as_str(), |p| {
        group = Some(p.group_id.clone());
        p.content.pages[0].blocks.push(Block {
            id: BlockId::random(),
            kind: BlockKind::Photo {
                media: MediaRef {
                    hash: imported.blob.hash.clone(),
                    mime: imported.mime.to_string(),
                    size: imported.blob.size,
                    width: imported.width.map(u64::from),
                    height: imported.height.map(u64::from),
                    caption: Text::with_value("Myrsky"),
                    thumbnail: None,
                    preview: None,
                },
            },
        });
    });
    let group = group.unwrap();
    change::<Class>(&store, demo.class.id.as_str(), |c| {
        c.group_mut(&group).unwrap().members[0].protected_identity = true;
    });
    let mut review = Review::new(project.clone());
    review.overall = Text::with_value(SECRET_FEEDBACK);
    review.comments.push(Comment {
        id: "c1".into(),
        pin: Pin::Step {
            step: Step::Phenomenon,
        },
        text: Text::with_value("Hyvä ilmiö!"),
        created_at: 0,
        resolved: false,
    });
    hugme_sample::Folder::create(&Bare(&store), &Review::document_id(&project), &review).unwrap();
    store.flush().unwrap();
    (demo.class.id.to_string(), project.to_string())
}

/// The teacher's overall comment: in an export only when asked for.
pub const SECRET_FEEDBACK: &str = "Kirjoittakaa vielä lähteet näkyviin.";

/// The class document of `store`.
pub fn class_of(store: &Store) -> Class {
    let id = store
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.kind == "class")
        .unwrap()
        .id;
    let doc = store.open_document(&id).unwrap();
    read(doc.doc()).unwrap().value
}

/// The name of the pupil marked "protected identity" in [`sample`].
pub fn protected_name(dir: &Path) -> String {
    let store = Store::open(dir).unwrap();
    let class = class_of(&store);
    class
        .groups
        .iter()
        .flat_map(|g| &g.members)
        .find(|m| m.protected_identity)
        .map(|m| m.name.as_str().to_owned())
        .unwrap()
}

/// Exports `scope` of `store` as `format` to `path`, with the teacher's feedback or not.
pub fn export_as(
    store: &Store,
    scope: &hugme_export::Scope,
    format: hugme_export::Format,
    include_feedback: bool,
    path: &Path,
) -> hugme_export::Summary {
    let options = hugme_export::Options {
        format,
        include_feedback,
    };
    hugme_export::export(
        store,
        scope,
        &options,
        path,
        &hugme_export::Progress::default(),
    )
    .unwrap()
}

pub fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}
