//! The App facade: a data folder's classes, projects and reviews as typed documents.
//!
//! Every change goes read → change → write → commit, and returns only once it is durable;
//! then a [`DocumentEvent`] tells every subscriber (the UI, the sync layer) what changed.
//! Open documents stay in memory, so a pupil's next keystroke does not reload anything.

use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

use automerge::AutoCommit;
use hugme_model::document::Document;
use hugme_model::{
    read, write, Class, ClassId, DeviceRole, DocumentKind, GroupId, Opened, Project, ProjectId,
    Review,
};
use hugme_store::{now_ms, BlobRef, Store, StoredDocument};
use hugme_task::lock;

use crate::api::DocumentEvent;
use crate::documents::{event_for, publish, OpenDocuments, Subscribers};
use crate::error::{Error, Result};

/// An open data folder.
#[derive(Debug)]
pub struct App {
    store: Arc<Store>,
    /// This device's id, once it has one (class created or joined): every change is written
    /// with it as the actor, which is how peers know who wrote what.
    device: Mutex<Option<String>>,
    /// The open documents, shared with sync sessions (see [`OpenDocuments`]).
    documents: Arc<Mutex<OpenDocuments>>,
    subscribers: Subscribers,
    /// The export being written, if any: one at a time ([`App::export_project`]).
    pub(crate) export: Mutex<Option<hugme_export::Progress>>,
    /// The role this device's class certificate names, once the program that opened the
    /// folder has checked it (`Some(None)`: no valid certificate). The teacher's powers need
    /// it to say teacher: the roster alone is a document a pupil's tools can edit locally.
    certified_role: Mutex<Option<Option<DeviceRole>>>,
}

/// A project document that cannot be read as one: (its id, the group id it names at its
/// root, if it still does).
pub type Unreadable = (String, Option<String>);

/// The meta key of this data folder's device id.
pub const DEVICE_KEY: &str = "device_id";

/// The store id of a project's review document.
pub fn review_id(project: &ProjectId) -> String {
    Review::document_id(project)
}

impl App {
    /// Opens (or creates) the data folder `dir`.
    pub fn open(dir: &Path) -> Result<App> {
        let store = Arc::new(Store::open(dir)?);
        let device = store.meta(DEVICE_KEY)?;
        let subscribers = Subscribers::default();
        Ok(App {
            device: Mutex::new(device),
            certified_role: Mutex::new(None),
            documents: Arc::new(Mutex::new(OpenDocuments::new(
                store.clone(),
                subscribers.clone(),
            ))),
            store,
            subscribers,
            export: Mutex::new(None),
        })
    }

    /// This device's id, if it has one.
    pub fn device(&self) -> Option<String> {
        lock(&self.device).clone()
    }

    /// Tells the app the role this device's class certificate names (checked against the
    /// class CA by the caller; `None`: it has no valid certificate). From then on the teacher's
    /// commands need that role as well as the roster's.
    pub fn set_certified_role(&self, role: Option<DeviceRole>) {
        *lock(&self.certified_role) = Some(role);
    }

    /// Whether the certificate lets this device act as a teacher: true when no program told
    /// the app of a certificate (a folder opened by a library caller, the sample class).
    pub(crate) fn certified_teacher(&self) -> bool {
        match *lock(&self.certified_role) {
            Some(role) => role == Some(DeviceRole::Teacher),
            None => true,
        }
    }

    /// Gives this data folder its device id (when it creates or joins a class).
    pub fn set_device(&self, id: &str) -> Result<()> {
        // A folder whose class was deleted takes documents and media again.
        self.store.resume();
        self.store.set_meta(DEVICE_KEY, id)?;
        *lock(&self.device) = Some(id.to_owned());
        Ok(())
    }

    /// Deletes everything of the data folder's class (documents and their history, media,
    /// sync states, settings) and forgets the device id; the folder is then like a new
    /// device's, and writes nothing until it is given a device id again ([`App::set_device`]).
    /// Under the documents' lock, so no edit or sync session writes while the data goes, and
    /// none finds anything after; `before` runs under that lock first (the network side stops
    /// syncing there).
    ///
    /// # Errors
    /// The store's, when the database or media folder cannot be emptied.
    pub fn wipe(&self, before: impl FnOnce()) -> Result<()> {
        let wiped = {
            let mut documents = lock(&self.documents);
            before();
            documents.close_all();
            self.store.wipe()
        };
        *lock(&self.device) = None;
        Ok(wiped?)
    }

    fn actor(&self) -> Option<automerge::ActorId> {
        self.device()
            .map(|d| automerge::ActorId::from(d.as_bytes()))
    }

    /// The store underneath, for blobs and inspection.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The open documents, which sync sessions change too (one copy of each document).
    pub fn documents(&self) -> &Arc<Mutex<OpenDocuments>> {
        &self.documents
    }

    /// A stream of document changes, each sent once the change is durable.
    pub fn subscribe(&self) -> Receiver<DocumentEvent> {
        let (tx, rx) = mpsc::channel();
        lock(&self.subscribers).push(tx);
        rx
    }

    fn publish(&self, event: DocumentEvent) {
        publish(&self.subscribers, event);
    }

    /// Runs `f` on an open document, loading it first if needed.
    pub(crate) fn with_doc<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut StoredDocument) -> Result<R>,
    ) -> Result<R> {
        let mut documents = lock(&self.documents);
        let doc = documents
            .open(id)?
            .ok_or_else(|| hugme_store::Error::NoSuchDocument { id: id.into() })?;
        f(doc)
    }

    fn check_kind<T: Document>(id: &str, doc: &StoredDocument) -> Result<()> {
        if doc.kind() != T::KIND {
            return Err(Error::WrongKind {
                id: id.into(),
                found: doc.kind(),
                expected: T::KIND,
            });
        }
        Ok(())
    }

    /// When a document was last changed, by the clock of the device that changed it.
    pub fn last_changed(&self, id: &str) -> Result<Option<i64>> {
        self.with_doc(id, |doc| {
            Ok(hugme_store::document::last_changed(doc.doc_mut()))
        })
    }

    /// Reads a typed document.
    pub fn read<T: Document>(&self, id: &str) -> Result<Opened<T>> {
        self.with_doc(id, |doc| {
            Self::check_kind::<T>(id, doc)?;
            Ok(read(doc.doc())?)
        })
    }

    /// Changes a typed document and returns once the change is durable.
    pub fn change<T: Document, R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut T) -> Result<R>,
    ) -> Result<R> {
        let (result, event, written) = self.with_doc(id, |doc| {
            Self::check_kind::<T>(id, doc)?;
            let mut value: T = read(doc.doc())?.value;
            let result = f(&mut value)?;
            if let Some(actor) = self.actor() {
                doc.doc_mut().set_actor(actor);
            }
            write(doc.doc_mut(), &value)?;
            let written = doc.commit(&self.store);
            if doc.needs_compaction() {
                // Nothing is dropped until the new snapshot is durable: no need to wait.
                drop(doc.compact_in_background(&self.store));
            }
            Ok((result, event_for(doc), written))
        })?;
        // Waited for without the documents' lock: sync sessions share it, and need not wait
        // for this disk write (the writer keeps the order either way).
        written.wait()?;
        self.publish(event);
        Ok(result)
    }

    /// Stores a new typed document durably.
    pub fn create<T: Document>(&self, id: &str, value: &T) -> Result<()> {
        let mut doc = AutoCommit::new();
        if let Some(actor) = self.actor() {
            doc.set_actor(actor);
        }
        write(&mut doc, value)?;
        let stored = self.store.create_document(id, T::KIND, doc)?;
        lock(&self.documents).keep_open(stored);
        Ok(())
    }

    /// The ids of every stored document of one kind, oldest first.
    pub fn ids_of(&self, kind: DocumentKind) -> Result<Vec<String>> {
        Ok(self
            .store
            .documents()?
            .into_iter()
            .filter(|d| d.kind == kind.as_str())
            .map(|d| d.id)
            .collect())
    }

    /// Every class in this data folder (a shared tablet serves several).
    pub fn classes(&self) -> Result<Vec<Class>> {
        self.ids_of(DocumentKind::Class)?
            .iter()
            .map(|id| Ok(self.read::<Class>(id)?.value))
            .collect()
    }

    /// Creates a class document with the named groups, and nothing else: no device of the
    /// class, no certificate, nothing to sync (the sample class; a teacher's device creates
    /// its class with `hugme_node::enrolment::create_class_as_teacher`).
    pub fn create_class_document(&self, name: &str, groups: &[&str]) -> Result<Class> {
        let mut class = Class::new(name);
        for group in groups {
            class.add_group(group);
        }
        self.create(class.id.as_str(), &class)?;
        Ok(class)
    }

    /// Changes a class.
    pub fn update_class<R>(
        &self,
        id: &ClassId,
        f: impl FnOnce(&mut Class) -> Result<R>,
    ) -> Result<R> {
        self.change(id.as_str(), f).map_err(|e| match e {
            Error::Store(hugme_store::Error::NoSuchDocument { id }) => Error::NoSuchClass(id),
            e => e,
        })
    }

    /// Starts a group's project.
    pub fn create_project(
        &self,
        class: &ClassId,
        group: &GroupId,
        title: &str,
    ) -> Result<ProjectId> {
        let project = Project::new(class.clone(), group.clone(), title, now_ms());
        self.create(project.id.as_str(), &project)?;
        Ok(project.id)
    }

    /// Every project, oldest first.
    ///
    /// A project that cannot be read as one (a damaged document) is left out: one such
    /// document never takes every group's work off the screen. [`App::projects_with_unreadable`]
    /// lists them.
    pub fn projects(&self) -> Result<Vec<Opened<Project>>> {
        Ok(self.projects_with_unreadable()?.0)
    }

    /// Every project, and those that cannot be read as one: (document id, the group id it
    /// names at its root, if it still does). One pass: each document is read once.
    pub fn projects_with_unreadable(&self) -> Result<(Vec<Opened<Project>>, Vec<Unreadable>)> {
        let mut projects = Vec::new();
        let mut unreadable = Vec::new();
        for id in self.ids_of(DocumentKind::Project)? {
            match self.project(&ProjectId::from(id.as_str())) {
                Ok(opened) => projects.push(opened),
                Err(Error::Model(_)) => {
                    let group = self.with_doc(&id, |doc| {
                        Ok(hugme_model::document::root_string(doc.doc(), "group_id"))
                    })?;
                    unreadable.push((id, group));
                }
                Err(e) => return Err(e),
            }
        }
        Ok((projects, unreadable))
    }

    /// One project.
    pub fn project(&self, id: &ProjectId) -> Result<Opened<Project>> {
        self.read(id.as_str())
            .map_err(|e| not_found_as(e, Error::NoSuchProject(id.to_string())))
    }

    /// Changes a project and returns once the change is durable.
    pub fn update_project<R>(
        &self,
        id: &ProjectId,
        f: impl FnOnce(&mut Project) -> Result<R>,
    ) -> Result<R> {
        self.change(id.as_str(), f)
            .map_err(|e| not_found_as(e, Error::NoSuchProject(id.to_string())))
    }

    /// The teacher's review of a project, if there is one yet.
    /// (A review that cannot be read is none: the project shows without feedback rather than
    /// not at all.)
    pub fn review(&self, project: &ProjectId) -> Result<Option<Review>> {
        match self.read::<Review>(&review_id(project)) {
            Ok(opened) => Ok(Some(opened.value)),
            Err(Error::Store(hugme_store::Error::NoSuchDocument { .. }) | Error::Model(_)) => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Changes the review of a project, creating it on first use.
    pub fn update_review<R>(
        &self,
        project: &ProjectId,
        f: impl FnOnce(&mut Review) -> Result<R>,
    ) -> Result<R> {
        if self.review(project)?.is_none() {
            self.create(&review_id(project), &Review::new(project.clone()))?;
        }
        self.change(&review_id(project), f)
    }

    /// Stores media bytes (once, however often) and returns the reference to put in a block.
    pub fn add_media(&self, bytes: &[u8]) -> Result<BlobRef> {
        Ok(self.store.put_blob(bytes)?)
    }
}

fn not_found_as(e: Error, instead: Error) -> Error {
    match e {
        Error::Store(hugme_store::Error::NoSuchDocument { .. }) => instead,
        e => e,
    }
}
