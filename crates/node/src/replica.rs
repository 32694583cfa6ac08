//! The data folder as a sync [`Replica`]: which documents a peer of the class may have, media
//! received a piece at a time, the class's revocation list.
//!
//! The documents are the app's open ones ([`OpenDocuments`]): a pupil's edits and every
//! session go through the one open copy of each. A session holds them, and this device's
//! [`ClassScope`], for one message at a time ([`ClassReplica`]).

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::MutexGuard;

use automerge::AutoCommit;
use hugme_app::OpenDocuments;
use hugme_model::DocumentKind;
use hugme_store::{PartialBlob, StoredDocument};
use hugme_sync::authorship::{Signature, SigningKey};
use hugme_sync::identity::{self, Credentials};
use hugme_sync::{DocumentInfo, Received, Replica};

use crate::membership::{revocations, set_revocations};

/// What the network side adds to the open documents: the class whose documents are synced,
/// with its CA, and the media being received.
#[derive(Default)]
pub struct ClassScope {
    /// The class's id and its CA (DER): none once the class is being deleted here, and then
    /// nothing is kept.
    class: Option<(String, Vec<u8>)>,
    /// This device's key, to sign its changes with (none once the class is being deleted).
    key: Option<SigningKey>,
    partials: HashMap<String, PartialBlob>,
    /// The revocation list last checked against the class CA, and its number if it checked.
    verified: Option<(Vec<u8>, Option<u64>)>,
}

impl std::fmt::Debug for ClassScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClassScope")
            .field("class", &self.class.as_ref().map(|(id, _)| id))
            .field("partials", &self.partials.len())
            .finish()
    }
}

impl ClassScope {
    /// Syncs the documents of `creds`'s class.
    /// Errors: the credentials' key cannot sign.
    pub(crate) fn of(creds: &Credentials) -> hugme_sync::Result<Self> {
        Ok(Self {
            class: Some((creds.class.clone(), creds.authority.clone())),
            key: Some(SigningKey::new(&creds.device, &creds.key)?),
            partials: HashMap::new(),
            verified: None,
        })
    }

    /// Syncs nothing any more and keeps nothing (the class is being deleted here).
    pub(crate) fn forget(&mut self) {
        self.class = None;
        self.key = None;
        self.partials.clear();
    }
}

/// The data folder as one session holds it: the open documents and the class scope, locked
/// in that order (everywhere: so two holders never wait on each other).
#[derive(Debug)]
pub struct ClassReplica<'a> {
    pub(crate) documents: MutexGuard<'a, OpenDocuments>,
    pub(crate) scope: MutexGuard<'a, ClassScope>,
    /// Signatures kept since the last document was saved: waited for before its changes.
    pub(crate) signing: Vec<hugme_store::Ticket>,
}

impl ClassReplica<'_> {
    /// The blob being received with this hash, opened (and resumed) on first use.
    fn partial(&mut self, hash: &str) -> hugme_sync::Result<&mut PartialBlob> {
        if !self.scope.partials.contains_key(hash) {
            let partial = self
                .documents
                .store()
                .partial_blob(hash)
                .map_err(replica_error)?;
            self.scope.partials.insert(hash.to_owned(), partial);
        }
        self.scope
            .partials
            .get_mut(hash)
            .ok_or_else(|| replica_error(std::io::Error::other("no partial blob")))
    }

    fn open_doc(&mut self, id: &str) -> hugme_sync::Result<Option<&mut StoredDocument>> {
        self.documents.open(id).map_err(replica_error)
    }

    /// Refuses to keep anything once the class was deleted here ([`ClassScope::forget`]):
    /// a session still running must not write documents or media back into the folder.
    fn keeping(&self) -> hugme_sync::Result<()> {
        if self.scope.class.is_none() {
            return Err(replica_error(std::io::Error::other(
                "this device belongs to no class (any more): it keeps nothing",
            )));
        }
        Ok(())
    }
}

fn replica_error(e: impl std::error::Error + Send + Sync + 'static) -> hugme_sync::Error {
    hugme_sync::Error::replica(e)
}

/// The meta key remembering that a received blob was refused (its value says why).
fn refused_key(hash: &str) -> String {
    format!("refused-blob:{hash}")
}

impl Replica for ClassReplica<'_> {
    fn documents(&mut self) -> hugme_sync::Result<Vec<DocumentInfo>> {
        let Some(class) = self.scope.class.as_ref().map(|(id, _)| id.clone()) else {
            return Ok(Vec::new());
        };
        let all = self.documents.store().documents().map_err(replica_error)?;
        let mut out = Vec::new();
        let mut projects = std::collections::HashSet::new();
        for info in &all {
            let kind = match info.kind.as_str() {
                "class" if info.id == class => DocumentKind::Class,
                // A tablet may hold several classes: a project or a group's protected names
                // go only to the peers of the class they name.
                "project" | "identities" => {
                    let class_of = self
                        .open_doc(&info.id)?
                        .and_then(|d| hugme_model::document::root_string(d.doc(), "class_id"));
                    if class_of.as_deref() != Some(class.as_str()) {
                        continue;
                    }
                    if info.kind == "identities" {
                        DocumentKind::Identities
                    } else {
                        projects.insert(info.id.clone());
                        DocumentKind::Project
                    }
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
        signatures: &[Signature],
    ) -> hugme_sync::Result<()> {
        self.keeping()?;
        // Signatures are kept only for a class this device is in (as `keep_signature`).
        let signatures = match self.scope.class {
            Some(_) => signatures.iter().map(stored_signature).collect(),
            None => Vec::new(),
        };
        let stored = self
            .documents
            .store()
            .create_signed_document(id, kind, doc, signatures)
            .map_err(replica_error)?;
        self.documents.keep_open(stored);
        Ok(())
    }

    fn save_document(&mut self, id: &str) -> hugme_sync::Result<()> {
        for ticket in std::mem::take(&mut self.signing) {
            ticket.wait().map_err(replica_error)?;
        }
        self.documents.save(id).map_err(replica_error)
    }

    fn sync_state(&mut self, document: &str, peer: &str) -> hugme_sync::Result<Option<Vec<u8>>> {
        match self.documents.store().sync_state(document, peer) {
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
        self.documents
            .store()
            .put_sync_state(document, peer, state)
            .wait()
            .map_err(replica_error)
    }

    fn blob_generation(&mut self) -> hugme_sync::Result<u64> {
        Ok(self.documents.store().blob_generation())
    }

    fn blobs(&mut self) -> hugme_sync::Result<Vec<(String, u64)>> {
        Ok(self
            .documents
            .store()
            .blobs()
            .map_err(replica_error)?
            .into_iter()
            .map(|b| (b.hash, b.size))
            .collect())
    }

    fn blob_size(&mut self, hash: &str) -> hugme_sync::Result<Option<u64>> {
        self.documents
            .store()
            .blob_size(hash)
            .map_err(replica_error)
    }

    fn read_blob(&mut self, hash: &str, offset: u64, len: usize) -> hugme_sync::Result<Vec<u8>> {
        let path = self
            .documents
            .store()
            .blob_path(hash)
            .map_err(replica_error)?;
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

    fn finish_partial_blob(&mut self, hash: &str) -> hugme_sync::Result<Received> {
        self.keeping()?;
        if self
            .documents
            .store()
            .has_blob(hash)
            .map_err(replica_error)?
        {
            // Another session finished it first.
            if let Some(partial) = self.scope.partials.remove(hash) {
                partial.discard().map_err(replica_error)?;
            }
            return Ok(Received::Stored);
        }
        self.partial(hash)?;
        let Some(partial) = self.scope.partials.remove(hash) else {
            return Ok(Received::Mismatch);
        };
        // Every file a device keeps has passed the import's stripping, whoever imported it: a
        // picture with metadata from a tampered peer is refused, and the refusal remembered.
        if partial.matches_hash() {
            let file = partial.open_received().map_err(replica_error)?;
            if let Err(unkept) = hugme_media::received::check(file, partial.len()) {
                partial.discard().map_err(replica_error)?;
                let why = unkept.to_string();
                self.documents
                    .store()
                    .set_meta(&refused_key(hash), &why)
                    .map_err(replica_error)?;
                return Ok(Received::Refused(why));
            }
        }
        // Checked now, made durable by the store's writer with whatever else is being written:
        // a session never waits for the disk under the replica's lock.
        Ok(
            match partial
                .finish_later(self.documents.store())
                .map_err(replica_error)?
            {
                Some(_) => Received::Stored,
                None => Received::Mismatch,
            },
        )
    }

    fn refused_blob(&mut self, hash: &str) -> hugme_sync::Result<bool> {
        Ok(self
            .documents
            .store()
            .meta(&refused_key(hash))
            .map_err(replica_error)?
            .is_some())
    }

    fn revocations(&mut self) -> hugme_sync::Result<Option<(u64, Vec<u8>)>> {
        let Some(der) = revocations(self.documents.store()).map_err(replica_error)? else {
            return Ok(None);
        };
        // Every live session looks every second: the signature is checked once per list.
        let number = match &self.scope.verified {
            Some((checked, number)) if *checked == der => *number,
            _ => {
                let number = identity::verified_revocations(&der, self.authority());
                self.scope.verified = Some((der.clone(), number));
                number
            }
        };
        Ok(number.map(|n| (n, der)))
    }

    fn offer_revocations(&mut self, der: &[u8]) -> hugme_sync::Result<bool> {
        let Some(offered) = identity::verified_revocations(der, self.authority()) else {
            return Ok(false);
        };
        let held = self.revocations()?.map_or(0, |(n, _)| n);
        if offered <= held {
            return Ok(false);
        }
        set_revocations(self.documents.store(), der).map_err(replica_error)?;
        Ok(true)
    }

    fn only_referenced_blobs(&self) -> bool {
        // A data folder keeps only media its documents show: a blob a peer merely lists
        // (junk from a pupil's tools) is never fetched, stored or passed on.
        true
    }

    fn is_revoked(&mut self, device: &str) -> hugme_sync::Result<bool> {
        Ok(self
            .revocations()?
            .is_some_and(|(_, der)| identity::revokes(&der, device)))
    }

    fn authority(&self) -> &[u8] {
        self.scope
            .class
            .as_ref()
            .map_or(&[], |(_, ca)| ca.as_slice())
    }

    fn signing_key(&self) -> Option<&SigningKey> {
        self.scope.key.as_ref()
    }

    fn signatures(&mut self, document: &str) -> hugme_sync::Result<Vec<Signature>> {
        let stored = self
            .documents
            .store()
            .signatures(document)
            .map_err(replica_error)?;
        Ok(stored
            .into_iter()
            .filter_map(|(signer, hash, seq, signature)| {
                Some(Signature {
                    signer,
                    hash: hash.try_into().ok()?,
                    seq,
                    signature,
                })
            })
            .collect())
    }

    fn keep_signature(&mut self, document: &str, signature: &Signature) -> hugme_sync::Result<()> {
        if self.scope.class.is_none() {
            return Ok(());
        }
        // Queued before the changes it vouches for (`save_document` comes after, and waits
        // for it): a signature that could not be written (a disk error) fails the message,
        // so no change is kept without it. Signatures made for sending are not waited for.
        let ticket = self
            .documents
            .store()
            .keep_signature(document, stored_signature(signature));
        self.signing.push(ticket);
        Ok(())
    }

    fn certificate(&mut self, device: &str) -> hugme_sync::Result<Option<Vec<u8>>> {
        self.documents
            .store()
            .certificate(device)
            .map_err(replica_error)
    }

    fn keep_certificate(&mut self, device: &str, der: &[u8]) -> hugme_sync::Result<()> {
        if self.scope.class.is_none() {
            return Ok(());
        }
        // Not waited for under the replica's lock: the writer may be busy with media, and
        // the certificate is needed only to pass this device's signatures on later.
        drop(self.documents.store().keep_certificate(device, der));
        Ok(())
    }
}

/// A signature as the store keeps it: (signer, change hash, sequence number, signature).
fn stored_signature(s: &Signature) -> hugme_store::StoredSignature {
    (
        s.signer.clone(),
        s.hash.to_vec(),
        s.seq,
        s.signature.clone(),
    )
}
