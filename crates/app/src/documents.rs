//! The data folder's open documents, one copy of each, shared by the app's edits and by
//! whatever else changes them (the class network's sync sessions, in `hugme-node`), and the
//! stream of [`DocumentEvent`]s that tells every subscriber what changed.
//!
//! Two copies of a document would each append to its log and compact away the other's
//! changes, so everything that reads or writes a document goes through [`OpenDocuments`],
//! under the one lock [`crate::App::documents`] hands out.

use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use hugme_store::{Store, StoredDocument};
use hugme_task::lock;

use crate::api::DocumentEvent;

/// Who is told of document changes: the app's own and those sync brings.
pub(crate) type Subscribers = Arc<Mutex<Vec<Sender<DocumentEvent>>>>;

/// Tells every subscriber; forgets those that stopped listening.
pub(crate) fn publish(subscribers: &Subscribers, event: DocumentEvent) {
    lock(subscribers).retain(|s| s.send(event.clone()).is_ok());
}

/// The event for a document as it is now (its heads).
pub(crate) fn event_for(doc: &mut StoredDocument) -> DocumentEvent {
    DocumentEvent {
        id: doc.id().to_owned(),
        kind: doc.kind(),
        heads: doc
            .doc_mut()
            .get_heads()
            .iter()
            .map(|h| h.to_string())
            .collect(),
    }
}

/// The open documents of a data folder.
pub struct OpenDocuments {
    /// Shared with the [`crate::App`], which flushes it without taking this lock.
    store: Arc<Store>,
    open: HashMap<String, StoredDocument>,
    subscribers: Subscribers,
}

impl std::fmt::Debug for OpenDocuments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenDocuments")
            .field("open", &self.open.len())
            .finish_non_exhaustive()
    }
}

impl OpenDocuments {
    pub(crate) fn new(store: Arc<Store>, subscribers: Subscribers) -> Self {
        Self {
            store,
            open: HashMap::new(),
            subscribers,
        }
    }

    /// The store the documents are kept in.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// An open document, loaded first if needed; `None` if the store has no such document.
    ///
    /// # Errors
    /// The store's, when the document cannot be read.
    pub fn open(&mut self, id: &str) -> Result<Option<&mut StoredDocument>, hugme_store::Error> {
        if !self.open.contains_key(id) {
            match self.store.open_document(id) {
                Ok(doc) => {
                    self.open.insert(id.to_owned(), doc);
                }
                Err(hugme_store::Error::NoSuchDocument { .. }) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(self.open.get_mut(id))
    }

    /// A document just created (by the app, or received whole from a peer), kept open and
    /// announced to the subscribers.
    pub fn keep_open(&mut self, mut stored: StoredDocument) {
        let event = event_for(&mut stored);
        self.open.insert(stored.id().to_owned(), stored);
        publish(&self.subscribers, event);
    }

    /// Writes the changes made to an open document (by a peer's sync message), waits until
    /// they are durable, starts compacting its log when it is long, and tells the subscribers.
    /// Nothing happens for a document that is not open.
    ///
    /// # Errors
    /// The store's, when the changes cannot be written.
    pub fn save(&mut self, id: &str) -> Result<(), hugme_store::Error> {
        if let Some(doc) = self.open.get_mut(id) {
            doc.commit(&self.store).wait()?;
            if doc.needs_compaction() {
                // Nothing is dropped until the new snapshot is durable: no need to wait.
                drop(doc.compact_in_background(&self.store));
            }
            publish(&self.subscribers, event_for(doc));
        }
        Ok(())
    }

    /// Closes every document (the class is being deleted from the folder).
    pub fn close_all(&mut self) {
        self.open.clear();
    }
}
