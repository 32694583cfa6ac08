//! The data folder's open documents, shared by the app's edits and the sync sessions, and
//! the data folder as a sync [`Replica`]: which documents a peer of the class may have,
//! media received a piece at a time, the class's revocation list.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use automerge::AutoCommit;
use hugme_model::DocumentKind;
use hugme_store::{PartialBlob, Store, StoredDocument};
use hugme_sync::identity::{self, Credentials};
use hugme_sync::{DocumentInfo, Replica};

use crate::app::{event_for, publish, Subscribers};
use crate::hub::{revocations, set_revocations};

/// A data folder's open documents, and the data folder as a sync replica: the app's edits
/// and every sync session go through the one open copy of each document (two copies of a
/// document would each append to its log and compact away the other's changes).
pub struct StoreReplica {
    /// Shared with the [`crate::App`] and the [`crate::hub::Hub`], which flush it without
    /// taking this lock.
    store: Arc<Store>,
    /// The class whose documents are synced, and its CA (DER): none before the device has
    /// created or joined one, and then nothing is synced.
    class: Option<(String, Vec<u8>)>,
    open: HashMap<String, StoredDocument>,
    partials: HashMap<String, PartialBlob>,
    /// Told of every document a session changed, as of the app's own edits.
    subscribers: Subscribers,
}

impl std::fmt::Debug for StoreReplica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreReplica")
            .field("class", &self.class.as_ref().map(|(id, _)| id))
            .field("open", &self.open.len())
            .field("partials", &self.partials.len())
            .finish_non_exhaustive()
    }
}

impl StoreReplica {
    pub(crate) fn new(store: Arc<Store>, subscribers: Subscribers) -> Self {
        Self {
            store,
            class: None,
            open: HashMap::new(),
            partials: HashMap::new(),
            subscribers,
        }
    }

    /// Syncs the documents of `creds`'s class from now on.
    pub(crate) fn set_class(&mut self, creds: &Credentials) {
        self.class = Some((creds.class.clone(), creds.authority.clone()));
    }

    /// Syncs nothing any more and holds nothing open (the class is being deleted here).
    pub(crate) fn forget(&mut self) {
        self.class = None;
        self.open.clear();
        self.partials.clear();
    }

    fn authority(&self) -> &[u8] {
        self.class.as_ref().map_or(&[], |(_, ca)| ca.as_slice())
    }

    /// The blob being received with this hash, opened (and resumed) on first use.
    fn partial(&mut self, hash: &str) -> hugme_sync::Result<&mut PartialBlob> {
        if !self.partials.contains_key(hash) {
            let partial = self.store.partial_blob(hash).map_err(replica_error)?;
            self.partials.insert(hash.to_owned(), partial);
        }
        self.partials
            .get_mut(hash)
            .ok_or_else(|| replica_error(std::io::Error::other("no partial blob")))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// An open document, loaded first if needed; `None` if the store has no such document.
    pub(crate) fn open(
        &mut self,
        id: &str,
    ) -> std::result::Result<Option<&mut StoredDocument>, hugme_store::Error> {
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

    /// A document just created, kept open.
    pub(crate) fn keep_open(&mut self, stored: StoredDocument) {
        self.open.insert(stored.id().to_owned(), stored);
    }

    fn open_doc(&mut self, id: &str) -> hugme_sync::Result<Option<&mut StoredDocument>> {
        self.open(id).map_err(replica_error)
    }

    fn publish(&mut self, id: &str) {
        if let Some(doc) = self.open.get_mut(id) {
            publish(&self.subscribers, event_for(doc));
        }
    }
}

fn replica_error(e: impl std::error::Error + Send + Sync + 'static) -> hugme_sync::Error {
    hugme_sync::Error::replica(e)
}

impl StoreReplica {
    /// Refuses to keep anything once the class was deleted here ([`StoreReplica::forget`]):
    /// a session still running must not write documents or media back into the folder.
    fn keeping(&self) -> hugme_sync::Result<()> {
        if self.class.is_none() {
            return Err(replica_error(std::io::Error::other(
                "this device belongs to no class (any more): it keeps nothing",
            )));
        }
        Ok(())
    }
}

impl Replica for StoreReplica {
    fn documents(&mut self) -> hugme_sync::Result<Vec<DocumentInfo>> {
        let Some(class) = self.class.as_ref().map(|(id, _)| id.clone()) else {
            return Ok(Vec::new());
        };
        let all = self.store.documents().map_err(replica_error)?;
        let mut out = Vec::new();
        let mut projects = std::collections::HashSet::new();
        for info in &all {
            let kind = match info.kind.as_str() {
                "class" if info.id == class => DocumentKind::Class,
                "project" => {
                    let class_of = self
                        .open_doc(&info.id)?
                        .and_then(|d| hugme_sync::policy::root_string(d.doc(), "class_id"));
                    if class_of.as_deref() != Some(class.as_str()) {
                        continue;
                    }
                    projects.insert(info.id.clone());
                    DocumentKind::Project
                }
                _ => continue,
            };
            out.push(DocumentInfo {
                id: info.id.clone(),
                kind,
            });
        }
        for info in &all {
            let reviewed = info.id.strip_prefix("review-");
            if info.kind == "review" && reviewed.is_some_and(|p| projects.contains(p)) {
                out.push(DocumentInfo {
                    id: info.id.clone(),
                    kind: DocumentKind::Review,
                });
            }
        }
        Ok(out)
    }

    fn document(&mut self, id: &str) -> hugme_sync::Result<Option<&mut AutoCommit>> {
        Ok(self.open_doc(id)?.map(|d| d.doc_mut()))
    }

    fn insert_document(
        &mut self,
        id: &str,
        kind: DocumentKind,
        doc: AutoCommit,
    ) -> hugme_sync::Result<()> {
        self.keeping()?;
        let stored = self
            .store
            .create_document(id, kind, doc)
            .map_err(replica_error)?;
        self.open.insert(id.to_owned(), stored);
        self.publish(id);
        Ok(())
    }

    fn save_document(&mut self, id: &str) -> hugme_sync::Result<()> {
        if let Some(doc) = self.open.get_mut(id) {
            doc.commit(&self.store).wait().map_err(replica_error)?;
            if doc.needs_compaction() {
                // Nothing is dropped until the new snapshot is durable: no need to wait.
                drop(doc.compact_in_background(&self.store));
            }
        }
        self.publish(id);
        Ok(())
    }

    fn sync_state(&mut self, document: &str, peer: &str) -> hugme_sync::Result<Option<Vec<u8>>> {
        match self.store.sync_state(document, peer) {
            Err(hugme_store::Error::NoSuchDocument { .. }) => Ok(None),
            other => other.map_err(replica_error),
        }
    }

    fn put_sync_state(
        &mut self,
        document: &str,
        peer: &str,
        state: Vec<u8>,
    ) -> hugme_sync::Result<()> {
        if self.open_doc(document)?.is_none() {
            return Ok(()); // nothing of it held yet: the state says nothing worth keeping
        }
        self.store
            .put_sync_state(document, peer, state)
            .wait()
            .map_err(replica_error)
    }

    fn blobs(&mut self) -> hugme_sync::Result<Vec<(String, u64)>> {
        Ok(self
            .store
            .blobs()
            .map_err(replica_error)?
            .into_iter()
            .map(|b| (b.hash, b.size))
            .collect())
    }

    fn blob_size(&mut self, hash: &str) -> hugme_sync::Result<Option<u64>> {
        self.store.blob_size(hash).map_err(replica_error)
    }

    fn read_blob(&mut self, hash: &str, offset: u64, len: usize) -> hugme_sync::Result<Vec<u8>> {
        let path = self.store.blob_path(hash).map_err(replica_error)?;
        let mut file = File::open(&path)?;
        file.seek(SeekFrom::Start(offset))?;
        let mut out = Vec::with_capacity(len);
        file.take(len as u64).read_to_end(&mut out)?;
        Ok(out)
    }

    fn partial_blob_len(&mut self, hash: &str) -> hugme_sync::Result<u64> {
        Ok(self.partial(hash)?.len())
    }

    fn append_partial_blob(
        &mut self,
        hash: &str,
        offset: u64,
        bytes: &[u8],
    ) -> hugme_sync::Result<()> {
        self.keeping()?;
        // Two sessions may fetch the same blob from two peers at once: each appends only what
        // the file does not have yet.
        let partial = self.partial(hash)?;
        let have = partial.len();
        if offset > have {
            return Err(replica_error(std::io::Error::other(format!(
                "blob {hash}: bytes at {offset} would leave a gap after {have}"
            ))));
        }
        let skip = (have - offset) as usize;
        if skip < bytes.len() {
            partial.append(&bytes[skip..]).map_err(replica_error)?;
        }
        Ok(())
    }

    fn finish_partial_blob(&mut self, hash: &str) -> hugme_sync::Result<bool> {
        self.keeping()?;
        if self.store.has_blob(hash).map_err(replica_error)? {
            // Another session finished it first.
            if let Some(partial) = self.partials.remove(hash) {
                partial.discard().map_err(replica_error)?;
            }
            return Ok(true);
        }
        self.partial(hash)?;
        let Some(partial) = self.partials.remove(hash) else {
            return Ok(false);
        };
        // Checked now, made durable by the store's writer with whatever else is being written:
        // a session never waits for the disk under the replica's lock.
        Ok(partial
            .finish_later(&self.store)
            .map_err(replica_error)?
            .is_some())
    }

    fn revocations(&mut self) -> hugme_sync::Result<Option<(u64, Vec<u8>)>> {
        let held = revocations(&self.store).map_err(replica_error)?;
        Ok(held.and_then(|der| {
            identity::verified_revocations(&der, self.authority()).map(|n| (n, der))
        }))
    }

    fn offer_revocations(&mut self, der: &[u8]) -> hugme_sync::Result<bool> {
        let Some(offered) = identity::verified_revocations(der, self.authority()) else {
            return Ok(false);
        };
        let held = self.revocations()?.map_or(0, |(n, _)| n);
        if offered <= held {
            return Ok(false);
        }
        set_revocations(&self.store, der).map_err(replica_error)?;
        Ok(true)
    }

    fn is_revoked(&mut self, device: &str) -> hugme_sync::Result<bool> {
        Ok(self
            .revocations()?
            .is_some_and(|(_, der)| identity::revokes(&der, device)))
    }
}
