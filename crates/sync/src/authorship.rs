//! Who wrote a change, proven: signed heads of a device's own changes, and the check every
//! receiving peer runs before anything of a change is kept.
//!
//! An Automerge change names its author only by its actor id, which any writer can choose.
//! So each device signs, with the P-256 key its class certificate certifies, a statement
//! ([`statement`]) naming the class, the document, the hash of its own newest change there and
//! that change's sequence number. Automerge change hashes cover the hashes of the changes
//! they depend on, and a device's every change depends on its previous one, so one signature
//! vouches for all of the device's changes beneath it: a new tablet catching up a project of
//! 2,000 changes checks one signature per author, not 2,000 (the idea of signing a device's
//! heads; Kleppmann et al., "Making CRDTs Byzantine fault tolerant", PaPoC 2022, §4, for the
//! hash graph). A peer keeps the newest signature it has checked for each (document, author)
//! and sends it on with the changes, so a third device checks what it receives second-hand.
//!
//! [`vouch`] is the check: every received change by actor X must be the change an X
//! signature names or lie beneath it through the dependency hashes of changes in hand.
//!
//! Why P-256 and not a second key: the device's TLS key is already certified by the class CA,
//! so its certificate is the only thing a verifier needs, and ring (already the TLS crypto)
//! signs and verifies it. Ed25519 would verify faster, but with one signature per author per
//! message verification is not what costs (see the sync bench).

use std::collections::{HashMap, HashSet};

use automerge::{Change, ChangeHash};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, UnparsedPublicKey};

use crate::error::{Error, Result};

/// Bytes of a P-256 signature in the fixed (r ‖ s) encoding.
pub const SIGNATURE_LEN: usize = 64;
/// Domain of the signed statement, so that a signature made here is good for nothing else.
const DOMAIN: &[u8] = b"hugme-change-v1\0";

/// A device's signature over its newest change to a document: the change's hash and sequence
/// number, signed ([`statement`]) with the device's certified key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The signing device's id (its certificate's CN; its changes' actor id).
    pub signer: String,
    /// The hash of the signer's change this signature names.
    pub hash: [u8; 32],
    /// That change's sequence number among the signer's changes to the document (1-based).
    pub seq: u64,
    /// ECDSA P-256 SHA-256, fixed encoding (64 bytes).
    pub signature: Vec<u8>,
}

/// The bytes a device signs: domain, class id, document id (each with its length), the
/// change's hash (32 bytes) and sequence number (8 bytes, big-endian).
pub fn statement(class: &str, document: &str, hash: &[u8; 32], seq: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(DOMAIN.len() + class.len() + document.len() + 48);
    out.extend(DOMAIN);
    for part in [class.as_bytes(), document.as_bytes()] {
        out.extend((part.len() as u32).to_be_bytes());
        out.extend(part);
    }
    out.extend(hash);
    out.extend(seq.to_be_bytes());
    out
}

/// A device's signing key (its certificate's private key, PKCS#8 DER).
pub struct SigningKey {
    device: String,
    key: EcdsaKeyPair,
    random: SystemRandom,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("device", &self.device)
            .finish_non_exhaustive() // never the key
    }
}

impl SigningKey {
    /// The key of `device`. Errors: the bytes are not a PKCS#8 P-256 key.
    pub fn new(device: &str, pkcs8: &[u8]) -> Result<Self> {
        let random = SystemRandom::new();
        let key =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &random)
                .map_err(|e| Error::Certificate(format!("the device key cannot sign: {e}")))?;
        Ok(Self {
            device: device.into(),
            key,
            random,
        })
    }

    /// Signs this device's change `hash` (sequence number `seq`) to `document` of `class`.
    pub fn sign(&self, class: &str, document: &str, hash: [u8; 32], seq: u64) -> Result<Signature> {
        let signed = self
            .key
            .sign(&self.random, &statement(class, document, &hash, seq))
            .map_err(|e| Error::Certificate(format!("signing failed: {e}")))?;
        Ok(Signature {
            signer: self.device.clone(),
            hash,
            seq,
            signature: signed.as_ref().to_vec(),
        })
    }
}

/// What a verified certificate says of its device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certified {
    pub device: String,
    /// The role the CA wrote into the certificate (OU): `teacher`, `group-tablet` or `hub`.
    pub role: Option<String>,
    /// The public key: an uncompressed P-256 point (65 bytes).
    public_key: Vec<u8>,
}

impl Certified {
    /// Whether `signature` is this device's over (class, document, hash, seq).
    pub fn verifies(&self, class: &str, document: &str, signature: &Signature) -> bool {
        signature.signer == self.device
            && UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &self.public_key)
                .verify(
                    &statement(class, document, &signature.hash, signature.seq),
                    &signature.signature,
                )
                .is_ok()
    }
}

/// Checks a device certificate against the class CA: signed by it, naming the class. Any
/// device may pass certificates on; only the CA's signature makes them believed.
/// Errors: not a certificate, not signed by this CA, another class, or no device named.
pub fn certified(der: &[u8], authority: &[u8], class: &str) -> Result<Certified> {
    let bad = |why: &str| Error::Certificate(format!("a certificate passed on is refused: {why}"));
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|_| bad("unreadable"))?;
    let (_, ca) =
        x509_parser::parse_x509_certificate(authority).map_err(|_| bad("the CA is unreadable"))?;
    cert.verify_signature(Some(ca.public_key()))
        .map_err(|_| bad("not signed by the class CA"))?;
    let (device, of_class) = crate::identity::identity_of(der)?;
    if of_class != class {
        return Err(bad("of another class"));
    }
    let role = cert
        .subject()
        .iter_organizational_unit()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned);
    Ok(Certified {
        device,
        role,
        public_key: cert.public_key().subject_public_key.data.to_vec(),
    })
}

/// Why changes were not vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unvouched {
    /// Changes under `device`'s name that no signature of `device` covers: forged.
    Forged { device: String, why: String },
    /// The change a signature names is not in hand yet (it may come in a later message).
    Waiting { device: String },
}

/// Checks that every change in `received` is its author's: for each author, a signature in
/// `signatures` (already verified, by the author) names the change or a change above it, and
/// the path between runs through dependency hashes of changes in `received` or `earlier`
/// (changes of the document received before in this session and held back by Automerge until
/// their dependencies come).
/// Changes `held` already (the document has them) need nothing.
///
/// Returns the signatures that vouched, to keep. Cost: one pass over the received changes.
pub fn vouch<'s>(
    received: &[Change],
    held: impl Fn(&ChangeHash) -> bool,
    earlier: &[Change],
    signatures: &'s [Signature],
) -> std::result::Result<Vec<&'s Signature>, Unvouched> {
    // The dependency walk runs through the received changes and those held back before.
    let by_hash: HashMap<ChangeHash, &Change> = received
        .iter()
        .chain(earlier)
        .map(|c| (c.hash(), c))
        .collect();
    let mut authors: HashMap<String, Vec<&Change>> = HashMap::new();
    for change in received.iter().filter(|c| !held(&c.hash())) {
        authors
            .entry(crate::policy::device_of(change.actor_id()))
            .or_default()
            .push(change);
    }
    let mut used = Vec::new();
    for (device, changes) in authors {
        let mut reached: HashSet<ChangeHash> = HashSet::new();
        let mut waiting = false;
        for signature in signatures.iter().filter(|s| s.signer == device) {
            let top = ChangeHash(signature.hash);
            // The named change must be this author's, with the sequence number signed.
            let named = by_hash
                .get(&top)
                .map(|c| (crate::policy::device_of(c.actor_id()), c.seq()));
            match named {
                Some((author, seq)) if author == device && seq == signature.seq => {}
                Some(_) => {
                    return Err(Unvouched::Forged {
                        device,
                        why: "a signature names a change that is not its signer's".into(),
                    })
                }
                None => {
                    waiting |= !held(&top);
                    continue;
                }
            }
            used.push(signature);
            let mut stack = vec![top];
            while let Some(hash) = stack.pop() {
                if !reached.insert(hash) {
                    continue;
                }
                if let Some(change) = by_hash.get(&hash) {
                    stack.extend(change.deps().iter().copied());
                }
            }
        }
        if let Some(stray) = changes.iter().find(|c| !reached.contains(&c.hash())) {
            return Err(if waiting {
                Unvouched::Waiting { device }
            } else {
                Unvouched::Forged {
                    why: format!(
                        "change {} (number {}) under its name carries no signature of it",
                        hex(&stray.hash().0[..6]),
                        stray.seq()
                    ),
                    device,
                }
            });
        }
    }
    Ok(used)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[path = "authorship_tests.rs"]
mod tests;
