//! What a session needs of the device it runs on: documents, per-peer sync states, blobs and
//! the revocation list. The app implements it over its data folder; [`MemoryReplica`] keeps
//! everything in memory for the deterministic network tests.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use automerge::{AutoCommit, ObjType, ReadDoc, Value};
use hugme_model::DocumentKind;

use crate::authorship::{Signature, SigningKey};
use crate::error::{Error, Result};
use crate::identity::{Authority, Credentials};

/// A document a replica holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentInfo {
    pub id: String,
    pub kind: DocumentKind,
}

/// What became of a blob received whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// Stored: its bytes match its hash, and the replica keeps such files.
    Stored,
    /// Its bytes do not match its hash (dropped; it may be fetched again).
    Mismatch,
    /// A file this replica does not keep (a picture with metadata, say), with why, for the
    /// log. Remembered: not fetched again ([`Replica::refused_blob`]).
    Refused(String),
}

/// A device's documents, sync states, blobs and revocation list, as a session sees them.
pub trait Replica {
    /// The documents of the class this session is about.
    fn documents(&mut self) -> Result<Vec<DocumentInfo>>;
    /// An open document, if this replica holds it.
    fn document(&mut self, id: &str) -> Result<Option<&mut AutoCommit>>;
    /// Adds a document first received from a peer (already checked against the write
    /// policy) with the signatures that vouch for its changes, made durable together: a
    /// document's changes are never held without what vouches for them.
    fn insert_document(
        &mut self,
        id: &str,
        kind: DocumentKind,
        doc: AutoCommit,
        signatures: &[Signature],
    ) -> Result<()>;
    /// Makes what was just received into `id` durable.
    fn save_document(&mut self, id: &str) -> Result<()>;
    /// The persisted Automerge sync state for (document, peer), encoded.
    fn sync_state(&mut self, document: &str, peer: &str) -> Result<Option<Vec<u8>>>;
    fn put_sync_state(&mut self, document: &str, peer: &str, state: Vec<u8>) -> Result<()>;
    /// Every complete blob: (hash, size).
    fn blobs(&mut self) -> Result<Vec<(String, u64)>>;
    /// A number that changes whenever a blob is added: a live session offers its peer what
    /// is new when it moved. The default counts the blobs (a listing each time); a store
    /// keeps a counter.
    fn blob_generation(&mut self) -> Result<u64> {
        Ok(self.blobs()?.len() as u64)
    }
    /// The size of a complete blob, if held.
    fn blob_size(&mut self, hash: &str) -> Result<Option<u64>>;
    /// Up to `len` bytes of a complete blob from `offset`.
    fn read_blob(&mut self, hash: &str, offset: u64, len: usize) -> Result<Vec<u8>>;
    /// How many bytes of a blob being received are already kept (0 if none).
    fn partial_blob_len(&mut self, hash: &str) -> Result<u64>;
    /// Appends received bytes at `offset` (which is the partial length).
    fn append_partial_blob(&mut self, hash: &str, offset: u64, bytes: &[u8]) -> Result<()>;
    /// Checks a fully received blob against its hash and, where the replica judges files,
    /// against what it keeps: stores it ([`Received::Stored`]) or discards the partial bytes.
    fn finish_partial_blob(&mut self, hash: &str) -> Result<Received>;
    /// Whether this replica refused the blob before (its refusals are remembered, so that a
    /// refused file is not fetched again from every peer at every session).
    fn refused_blob(&mut self, _hash: &str) -> Result<bool> {
        Ok(false)
    }
    /// The newest revocation list held: (its number, DER).
    fn revocations(&mut self) -> Result<Option<(u64, Vec<u8>)>>;
    /// Offers a revocation list from a peer; kept only if signed by the class CA and newer.
    fn offer_revocations(&mut self, der: &[u8]) -> Result<bool>;
    /// Whether the newest revocation list held revokes this device.
    fn is_revoked(&mut self, device: &str) -> Result<bool>;
    /// Whether blobs are fetched only when a document this replica holds refers to them
    /// ([`references`]): a device's data folder does (so that blobs a peer merely lists,
    /// junk included, are never stored); the in-memory test replica takes every blob.
    fn only_referenced_blobs(&self) -> bool {
        false
    }
    /// The class CA's certificate (DER): every certificate passed on must be signed by it.
    fn authority(&self) -> &[u8];
    /// This device's key, to sign its own changes with (none: its changes go unsigned, and
    /// peers refuse them).
    fn signing_key(&self) -> Option<&SigningKey>;
    /// The newest checked signature held for each author of `document`.
    fn signatures(&mut self, document: &str) -> Result<Vec<Signature>>;
    /// Keeps a checked signature, unless one of the same signer naming a later change
    /// (higher `seq`) is held.
    fn keep_signature(&mut self, document: &str, signature: &Signature) -> Result<()>;
    /// A device's certificate (DER), if held; this device's own included.
    fn certificate(&mut self, device: &str) -> Result<Option<Vec<u8>>>;
    /// Keeps a certificate checked against the class CA.
    fn keep_certificate(&mut self, device: &str, der: &[u8]) -> Result<()>;
}

/// A replica's signatures and certificates in memory (the test replica's; the app's keep
/// theirs in the store).
#[derive(Debug, Default)]
pub struct Keyring {
    pub signatures: HashMap<(String, String), Signature>,
    pub certificates: HashMap<String, Vec<u8>>,
}

impl Keyring {
    pub fn signatures(&self, document: &str) -> Vec<Signature> {
        let mut found: Vec<Signature> = self
            .signatures
            .iter()
            .filter(|((d, _), _)| d == document)
            .map(|(_, s)| s.clone())
            .collect();
        found.sort_by(|a, b| a.signer.cmp(&b.signer));
        found
    }

    pub fn keep_signature(&mut self, document: &str, signature: &Signature) {
        let key = (document.to_owned(), signature.signer.clone());
        if self
            .signatures
            .get(&key)
            .is_none_or(|s| s.seq < signature.seq)
        {
            self.signatures.insert(key, signature.clone());
        }
    }
}

/// The keys under which a document names a blob (`hugme_model::MediaRef`: the file, its
/// thumbnail and its preview).
const BLOB_KEYS: [&str; 3] = ["hash", "thumbnail", "preview"];

/// The blob hashes a document refers to: every 64-hex-digit string under a [`BLOB_KEYS`] key,
/// at any depth. Reads the document as it is now, not its history.
pub fn references(doc: &AutoCommit) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![(automerge::ROOT, ObjType::Map)];
    while let Some((obj, kind)) = stack.pop() {
        let entries: Vec<(Option<String>, automerge::Prop)> = match kind {
            ObjType::Map | ObjType::Table => doc
                .keys(&obj)
                .map(|k| (Some(k.clone()), automerge::Prop::Map(k)))
                .collect(),
            ObjType::List => (0..doc.length(&obj))
                .map(|i| (None, automerge::Prop::Seq(i)))
                .collect(),
            ObjType::Text => continue,
        };
        for (key, prop) in entries {
            let Ok(Some((value, id))) = doc.get(&obj, prop) else {
                continue;
            };
            match value {
                Value::Object(kind) => stack.push((id, kind)),
                Value::Scalar(scalar) => {
                    let named = key.as_deref().is_some_and(|k| BLOB_KEYS.contains(&k));
                    if let (true, automerge::ScalarValue::Str(s)) = (named, scalar.as_ref()) {
                        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                            found.insert(s.to_string());
                        }
                    }
                }
            }
        }
    }
    found
}

/// A replica in memory, for tests and benchmarks. Revocation lists here are not signed: their
/// first eight bytes are the number and the rest the revoked device ids, comma-separated.
/// Certificates and signatures are real: [`MemoryReplica::enrolled`] gives it a device key
/// certified by a class CA.
#[derive(Debug)]
pub struct MemoryReplica {
    pub device: String,
    pub authority: Vec<u8>,
    pub key: SigningKey,
    pub keyring: Keyring,
    pub docs: BTreeMap<String, (DocumentKind, AutoCommit)>,
    pub states: HashMap<(String, String), Vec<u8>>,
    pub blobs: BTreeMap<String, Vec<u8>>,
    pub partial: HashMap<String, Vec<u8>>,
    pub revocations: Option<Vec<u8>>,
    /// How many times each document was saved (the store would write a log row each time).
    pub saves: HashMap<String, usize>,
    /// Documents held but not listed for this class (another class's, on a shared tablet).
    unlisted: HashSet<String>,
}

impl MemoryReplica {
    /// The replica of a device enrolled by `authority` (its certificate and key).
    pub fn enrolled(authority: &Authority, device: &str) -> Result<Self> {
        let credentials = authority.credentials_for(device, "group-tablet")?;
        Self::with_credentials(&credentials)
    }

    /// The replica of a device with these credentials.
    pub fn with_credentials(credentials: &Credentials) -> Result<Self> {
        let mut keyring = Keyring::default();
        keyring
            .certificates
            .insert(credentials.device.clone(), credentials.certificate.clone());
        Ok(MemoryReplica {
            device: credentials.device.clone(),
            authority: credentials.authority.clone(),
            key: SigningKey::new(&credentials.device, &credentials.key)?,
            keyring,
            docs: BTreeMap::new(),
            states: HashMap::new(),
            blobs: BTreeMap::new(),
            partial: HashMap::new(),
            revocations: None,
            saves: HashMap::new(),
            unlisted: HashSet::new(),
        })
    }

    /// Keeps a held document out of [`Replica::documents`], as a tablet's replica keeps the
    /// documents of its other classes.
    pub fn unlist(&mut self, id: &str) {
        self.unlisted.insert(id.to_owned());
    }

    pub fn add_blob(&mut self, bytes: Vec<u8>) -> String {
        let hash = blake3::hash(&bytes).to_hex().to_string();
        self.blobs.insert(hash.clone(), bytes);
        hash
    }

    /// Heads of every document, for comparing replicas.
    pub fn heads(&mut self) -> BTreeMap<String, Vec<automerge::ChangeHash>> {
        self.docs
            .iter_mut()
            .map(|(id, (_, doc))| (id.clone(), doc.get_heads()))
            .collect()
    }

    fn revocation_number(der: &[u8]) -> Option<u64> {
        let head: [u8; 8] = der.get(..8)?.try_into().ok()?;
        Some(u64::from_be_bytes(head))
    }
}

impl Replica for MemoryReplica {
    fn documents(&mut self) -> Result<Vec<DocumentInfo>> {
        Ok(self
            .docs
            .iter()
            .filter(|(id, _)| !self.unlisted.contains(*id))
            .map(|(id, (kind, _))| DocumentInfo {
                id: id.clone(),
                kind: *kind,
            })
            .collect())
    }

    fn document(&mut self, id: &str) -> Result<Option<&mut AutoCommit>> {
        Ok(self.docs.get_mut(id).map(|(_, doc)| doc))
    }

    fn insert_document(
        &mut self,
        id: &str,
        kind: DocumentKind,
        doc: AutoCommit,
        signatures: &[Signature],
    ) -> Result<()> {
        self.docs.insert(id.to_owned(), (kind, doc));
        for signature in signatures {
            self.keyring.keep_signature(id, signature);
        }
        Ok(())
    }

    fn save_document(&mut self, id: &str) -> Result<()> {
        *self.saves.entry(id.to_owned()).or_default() += 1;
        Ok(())
    }

    fn sync_state(&mut self, document: &str, peer: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .states
            .get(&(document.to_owned(), peer.to_owned()))
            .cloned())
    }

    fn put_sync_state(&mut self, document: &str, peer: &str, state: Vec<u8>) -> Result<()> {
        self.states
            .insert((document.to_owned(), peer.to_owned()), state);
        Ok(())
    }

    fn blobs(&mut self) -> Result<Vec<(String, u64)>> {
        Ok(self
            .blobs
            .iter()
            .map(|(h, b)| (h.clone(), b.len() as u64))
            .collect())
    }

    fn blob_size(&mut self, hash: &str) -> Result<Option<u64>> {
        Ok(self.blobs.get(hash).map(|b| b.len() as u64))
    }

    fn read_blob(&mut self, hash: &str, offset: u64, len: usize) -> Result<Vec<u8>> {
        let blob = self
            .blobs
            .get(hash)
            .ok_or_else(|| Error::replica(std::io::Error::other(format!("no blob {hash}"))))?;
        let start = (offset as usize).min(blob.len());
        let end = start.saturating_add(len).min(blob.len());
        Ok(blob[start..end].to_vec())
    }

    fn partial_blob_len(&mut self, hash: &str) -> Result<u64> {
        Ok(self.partial.get(hash).map_or(0, |p| p.len() as u64))
    }

    fn append_partial_blob(&mut self, hash: &str, offset: u64, bytes: &[u8]) -> Result<()> {
        let partial = self.partial.entry(hash.to_owned()).or_default();
        partial.truncate(offset as usize);
        partial.extend_from_slice(bytes);
        Ok(())
    }

    fn finish_partial_blob(&mut self, hash: &str) -> Result<Received> {
        let bytes = self.partial.remove(hash).unwrap_or_default();
        if blake3::hash(&bytes).to_hex().as_str() != hash {
            return Ok(Received::Mismatch);
        }
        self.blobs.insert(hash.to_owned(), bytes);
        Ok(Received::Stored)
    }

    fn revocations(&mut self) -> Result<Option<(u64, Vec<u8>)>> {
        Ok(self
            .revocations
            .as_ref()
            .and_then(|der| Some((Self::revocation_number(der)?, der.clone()))))
    }

    fn offer_revocations(&mut self, der: &[u8]) -> Result<bool> {
        let Some(offered) = Self::revocation_number(der) else {
            return Ok(false);
        };
        let held = self
            .revocations
            .as_deref()
            .and_then(Self::revocation_number);
        if held.is_some_and(|held| held >= offered) {
            return Ok(false);
        }
        self.revocations = Some(der.to_vec());
        Ok(true)
    }

    fn is_revoked(&mut self, device: &str) -> Result<bool> {
        Ok(self.revocations.as_deref().is_some_and(|der| {
            String::from_utf8_lossy(der.get(8..).unwrap_or_default())
                .split(',')
                .any(|d| d == device)
        }))
    }

    fn authority(&self) -> &[u8] {
        &self.authority
    }

    fn signing_key(&self) -> Option<&SigningKey> {
        Some(&self.key)
    }

    fn signatures(&mut self, document: &str) -> Result<Vec<Signature>> {
        Ok(self.keyring.signatures(document))
    }

    fn keep_signature(&mut self, document: &str, signature: &Signature) -> Result<()> {
        // As in the store, a signature is kept beside a document held.
        if !self.docs.contains_key(document) {
            return Err(Error::replica(std::io::Error::other(format!(
                "a signature of {document}, which is not held"
            ))));
        }
        self.keyring.keep_signature(document, signature);
        Ok(())
    }

    fn certificate(&mut self, device: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.keyring.certificates.get(device).cloned())
    }

    fn keep_certificate(&mut self, device: &str, der: &[u8]) -> Result<()> {
        self.keyring
            .certificates
            .insert(device.to_owned(), der.to_vec());
        Ok(())
    }
}
