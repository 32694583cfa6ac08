//! Sync over the network from a data folder: the store as a sync replica, the device's
//! identity files, and the host that serves sessions and enrolment (`hugme hub`) or syncs once
//! with a peer (`hugme sync`).
//!
//! A hub opens the store itself (a data folder is used by one program at a time) and keeps
//! its own open copies of the documents it syncs.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use automerge::AutoCommit;
use hugme_model::DocumentKind;
use hugme_store::{now_ms, PartialBlob, Store, StoredDocument};
use hugme_sync::identity::{self, Authority, Credentials};
use hugme_sync::net::Host;
use hugme_sync::{DocumentInfo, Message, Replica};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Meta keys of a data folder that belongs to a class.
pub const CLASS_KEY: &str = "class_id";
const REVOCATIONS_KEY: &str = "revocations";
const TOKEN_PREFIX: &str = "enrolment:";

/// Where a data folder keeps its certificates and keys.
pub fn identity_dir(dir: &Path) -> PathBuf {
    dir.join("identity")
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Identity(format!("cannot read {}: {e}", path.display())))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::Identity(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut file = File::create(path)
        .map_err(|e| Error::Identity(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::Identity(format!("cannot write {}: {e}", path.display())))
}

/// Saves a device's credentials (and the CA, on the teacher's device).
pub fn save_identity(dir: &Path, creds: &Credentials, authority: Option<&Authority>) -> Result<()> {
    let id = identity_dir(dir);
    write_file(&id.join("class-ca.der"), &creds.authority)?;
    write_file(&id.join("device.der"), &creds.certificate)?;
    write_file(&id.join("device.key"), &creds.key)?;
    if let Some(authority) = authority {
        write_file(&id.join("class-ca.key"), &authority.key())?;
    }
    Ok(())
}

/// The device's credentials, from its data folder.
pub fn load_identity(dir: &Path, store: &Store) -> Result<Credentials> {
    let not_enrolled =
        || Error::Identity("this data folder belongs to no class: create one or join one".into());
    let device = store
        .meta(crate::app::DEVICE_KEY)?
        .ok_or_else(not_enrolled)?;
    let class = store.meta(CLASS_KEY)?.ok_or_else(not_enrolled)?;
    let id = identity_dir(dir);
    Ok(Credentials {
        device,
        class,
        authority: read_file(&id.join("class-ca.der"))?,
        certificate: read_file(&id.join("device.der"))?,
        key: read_file(&id.join("device.key"))?,
    })
}

/// The class CA, if this is the teacher's device that holds it.
pub fn load_authority(dir: &Path, creds: &Credentials) -> Result<Option<Authority>> {
    let key = identity_dir(dir).join("class-ca.key");
    if !key.exists() {
        return Ok(None);
    }
    Ok(Some(Authority::from_parts(
        &creds.class,
        &creds.authority,
        &read_file(&key)?,
    )?))
}

/// The newest revocation list a data folder holds.
pub fn revocations(store: &Store) -> Result<Option<Vec<u8>>> {
    Ok(store
        .meta(REVOCATIONS_KEY)?
        .and_then(|hex| hex::decode(hex).ok()))
}

pub fn set_revocations(store: &Store, der: &[u8]) -> Result<()> {
    Ok(store.set_meta(REVOCATIONS_KEY, &hex::encode(der))?)
}

/// An enrolment a teacher prepared: who the token is for, until when.
#[derive(Debug, Serialize, Deserialize)]
pub struct Invitation {
    pub device: String,
    pub expires_at: i64,
    pub used: bool,
}

pub fn put_invitation(store: &Store, token: &str, invitation: &Invitation) -> Result<()> {
    Ok(store.set_meta(
        &format!("{TOKEN_PREFIX}{token}"),
        &serde_json::to_string(invitation)?,
    )?)
}

/// A data folder as a sync replica.
#[derive(Debug)]
pub struct StoreReplica {
    /// Shared with the [`Hub`], which flushes it without taking the replica's lock.
    store: Arc<Store>,
    class: String,
    authority: Vec<u8>,
    open: HashMap<String, StoredDocument>,
    partials: HashMap<String, PartialBlob>,
}

impl StoreReplica {
    pub fn new(store: Arc<Store>, creds: &Credentials) -> Self {
        Self {
            store,
            class: creds.class.clone(),
            authority: creds.authority.clone(),
            open: HashMap::new(),
            partials: HashMap::new(),
        }
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

    fn open_doc(&mut self, id: &str) -> hugme_sync::Result<Option<&mut StoredDocument>> {
        if !self.open.contains_key(id) {
            match self.store.open_document(id) {
                Ok(doc) => {
                    self.open.insert(id.to_owned(), doc);
                }
                Err(hugme_store::Error::NoSuchDocument { .. }) => return Ok(None),
                Err(e) => return Err(hugme_sync::Error::replica(e)),
            }
        }
        Ok(self.open.get_mut(id))
    }
}

fn replica_error(e: impl std::error::Error + Send + Sync + 'static) -> hugme_sync::Error {
    hugme_sync::Error::replica(e)
}

impl Replica for StoreReplica {
    fn documents(&mut self) -> hugme_sync::Result<Vec<DocumentInfo>> {
        let all = self.store.documents().map_err(replica_error)?;
        let mut out = Vec::new();
        let mut projects = std::collections::HashSet::new();
        for info in &all {
            let kind = match info.kind.as_str() {
                "class" if info.id == self.class => DocumentKind::Class,
                "project" => {
                    let class = self
                        .open_doc(&info.id)?
                        .and_then(|d| hugme_sync::policy::root_string(d.doc(), "class_id"));
                    if class.as_deref() != Some(self.class.as_str()) {
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
        let stored = self
            .store
            .create_document(id, kind, doc)
            .map_err(replica_error)?;
        self.open.insert(id.to_owned(), stored);
        Ok(())
    }

    fn save_document(&mut self, id: &str) -> hugme_sync::Result<()> {
        if let Some(doc) = self.open.get_mut(id) {
            doc.commit(&self.store).wait().map_err(replica_error)?;
        }
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
            identity::verified_revocations(&der, &self.authority).map(|n| (n, der))
        }))
    }

    fn offer_revocations(&mut self, der: &[u8]) -> hugme_sync::Result<bool> {
        let Some(offered) = identity::verified_revocations(der, &self.authority) else {
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

/// A data folder on the network: serving (`hugme hub`) or syncing once (`hugme sync`).
#[derive(Debug)]
pub struct Hub {
    store: Arc<Store>,
    credentials: Credentials,
    authority: Option<Authority>,
    replica: Mutex<StoreReplica>,
}

impl Hub {
    /// Opens a data folder that belongs to a class.
    pub fn open(dir: &Path) -> Result<Hub> {
        let store = Store::open(dir)?;
        let credentials = load_identity(dir, &store)?;
        let authority = load_authority(dir, &credentials)?;
        let store = Arc::new(store);
        let replica = Mutex::new(StoreReplica::new(store.clone(), &credentials));
        Ok(Hub {
            store,
            credentials,
            authority,
            replica,
        })
    }

    /// Waits until everything received so far is on disk (media is made durable in the
    /// background, in groups).
    pub fn flush(&self) -> Result<()> {
        Ok(self.store.flush()?)
    }

    /// The data folder's store (shared with the sessions' replica).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn is_teacher_device(&self) -> bool {
        self.authority.is_some()
    }

    fn welcome(&self, token: &str, request: &[u8]) -> Result<Message> {
        let authority = self
            .authority
            .as_ref()
            .ok_or_else(|| Error::Identity("only the teacher's device enrols tablets".into()))?;
        let mut replica = self.replica.lock().unwrap_or_else(|p| p.into_inner());
        let key = format!("{TOKEN_PREFIX}{token}");
        let invitation: Invitation = replica
            .store()
            .meta(&key)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .ok_or_else(|| Error::Identity("this enrolment code is not known here".into()))?;
        if invitation.used {
            return Err(Error::Identity(
                "this enrolment code has been used already".into(),
            ));
        }
        if invitation.expires_at < now_ms() {
            return Err(Error::Identity(
                "this enrolment code has expired: make a new one".into(),
            ));
        }
        let certificate = authority.issue(&invitation.device, request)?;
        put_invitation(
            replica.store(),
            token,
            &Invitation {
                used: true,
                ..invitation
            },
        )?;
        let class = self.credentials.class.clone();
        let class_document = replica
            .document(&class)
            .map_err(Error::Sync)?
            .map(|d| d.save())
            .ok_or_else(|| Error::NoSuchClass(class.clone()))?;
        let revocations = revocations(replica.store())?.unwrap_or_default();
        Ok(Message::Welcome {
            certificate,
            authority: self.credentials.authority.clone(),
            class_document,
            revocations,
        })
    }
}

impl Host for Hub {
    type Replica = StoreReplica;

    fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn replica(&self) -> &Mutex<StoreReplica> {
        &self.replica
    }

    fn enrol(&self, token: &str, request: &[u8]) -> hugme_sync::Result<Message> {
        self.welcome(token, request)
            .map_err(|e| hugme_sync::Error::Enrolment(e.to_string()))
    }
}
