//! The wire format: what two peers say to each other, and its bounded binary encoding.
//!
//! On the connection every frame is a 4-byte big-endian length and then the body; a body is a
//! tag byte and the message's fields. Lengths are checked before anything is allocated, so a
//! corrupt or hostile length costs nothing but the connection. Decoding refuses unknown tags,
//! truncation, trailing bytes, text that is not UTF-8 and lists longer than their bound.

use hugme_model::DocumentKind;

use crate::authorship::{Signature, SIGNATURE_LEN};
use crate::error::FrameError;

/// Protocol version, in every Hello; a peer with another version is told so and left.
pub const PROTOCOL_VERSION: u16 = 3;
/// Largest frame body: an Automerge sync message carrying a whole project fits many times.
pub const MAX_FRAME: usize = 16 << 20;
/// Blob bytes per Chunk frame: 64 KiB, so that a document's sync message waits behind at
/// most one chunk even on a slow link (1.6 s at 40 kB/s; a 1 MiB chunk took 25 s there).
pub const CHUNK: usize = 64 << 10;
/// Most entries in one list (documents, blobs).
const MAX_ENTRIES: usize = 100_000;
/// Longest id or hash.
const MAX_TEXT: usize = 256;

/// One frame's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// First frame each way: who is talking, of which class, and how new its revocation list is.
    Hello {
        version: u16,
        device: String,
        class: String,
        revocations: u64,
        /// The sender's clock (ms since the Unix epoch; 0 if it does not say), so that a
        /// device whose clock is far off can be told (certificates and "last changed" depend
        /// on it).
        clock: u64,
        /// Bytes free on the sender's disk (0 if it does not say): the teacher sees a tablet
        /// that is running out of room.
        free: u64,
        /// The sender keeps the session open and takes changes as they are made (a live
        /// session); false: a one-off sync, told only of what is here when it begins.
        live: bool,
    },
    /// A revocation list (DER CRL signed by the class CA), sent to a peer that has an older one.
    Revocations { der: Vec<u8> },
    /// The documents the sender holds that the receiver may read.
    Documents { list: Vec<(String, DocumentKind)> },
    /// An Automerge sync message for one document, with the newest signature the sender holds
    /// of each author of the document ([`crate::authorship`]; none when it carries no change).
    Sync {
        document: String,
        message: Vec<u8>,
        signatures: Vec<Signature>,
    },
    /// A device certificate, sent before the first signature of its device in a session so
    /// that the receiver can check it (DER, signed by the class CA).
    Certificate { der: Vec<u8> },
    /// Blobs the sender holds (hash, size).
    Have { blobs: Vec<(String, u64)> },
    /// Please send `len` bytes of a blob from `offset`.
    Want { hash: String, offset: u64, len: u64 },
    /// Bytes of a blob starting at `offset`; `total` is the blob's size.
    Chunk {
        hash: String,
        offset: u64,
        total: u64,
        bytes: Vec<u8>,
    },
    /// The sender closes the session; the reason is logged on the other side.
    Bye { reason: String },
    /// The sender holds the heads the receiver last told it of for every document, and has no
    /// blob on its way: once both sides have said so, a one-off sync may end.
    Done,
    /// Nothing to say, but still there: sent when a session has been quiet for a while, so
    /// that each side knows within seconds when the other is gone (Wi-Fi lost, asleep).
    Ping,
    /// The sender refused the receiver's changes to a document and keeps nothing of them;
    /// neither side says more of that document in this session.
    Refused { document: String, reason: String },
    /// Enrolment, from a device with no certificate yet: the one-time token of its QR code
    /// and a signing request for its own key.
    Join { token: String, request: Vec<u8> },
    /// Enrolment's answer: the device's certificate, the class CA, the class document and
    /// the newest revocation list (empty if none).
    Welcome {
        certificate: Vec<u8>,
        authority: Vec<u8>,
        class_document: Vec<u8>,
        revocations: Vec<u8>,
        /// The signatures of the class document's authors, and their certificates, so that
        /// the new device can pass the class document on.
        signatures: Vec<Signature>,
        certificates: Vec<Vec<u8>>,
    },
    /// Enrolment by short code ([`crate::code`]), from the tablet: which open code, and its
    /// first SPAKE2 message.
    CodeJoin { slot: String, pake: Vec<u8> },
    /// The teacher's device's SPAKE2 message and its proof of the key.
    CodeReply { pake: Vec<u8>, proof: Vec<u8> },
    /// The tablet's proof of the key.
    CodeProof { proof: Vec<u8> },
    /// The invitation the code stands for (what the QR code carries), once both proved it.
    Invite { invitation: Vec<u8> },
}

const HELLO: u8 = 1;
const REVOCATIONS: u8 = 2;
const DOCUMENTS: u8 = 3;
const SYNC: u8 = 4;
const HAVE: u8 = 5;
const WANT: u8 = 6;
const CHUNK_TAG: u8 = 7;
const BYE: u8 = 8;
const DONE: u8 = 9;
const JOIN: u8 = 10;
const WELCOME: u8 = 11;
const REFUSED: u8 = 12;
const CODE_JOIN: u8 = 13;
const CODE_REPLY: u8 = 14;
const CODE_PROOF: u8 = 15;
const INVITE: u8 = 16;
const CERTIFICATE: u8 = 17;
const PING: u8 = 18;
/// Most signatures in one message (one per author of a document).
const MAX_SIGNATURES: usize = 1024;

impl Message {
    /// The frame body (without the length prefix).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer(Vec::new());
        match self {
            Message::Hello {
                version,
                device,
                class,
                revocations,
                clock,
                free,
                live,
            } => {
                out.u8(HELLO);
                out.u16(*version);
                out.text(device);
                out.text(class);
                out.u64(*revocations);
                out.u64(*clock);
                out.u64(*free);
                out.u64(u64::from(*live));
            }
            Message::Revocations { der } => {
                out.u8(REVOCATIONS);
                out.bytes(der);
            }
            Message::Documents { list } => {
                out.u8(DOCUMENTS);
                out.u32(list.len() as u32);
                for (id, kind) in list {
                    out.text(id);
                    out.u8(kind_tag(*kind));
                }
            }
            Message::Sync {
                document,
                message,
                signatures,
            } => {
                out.u8(SYNC);
                out.text(document);
                out.bytes(message);
                out.signatures(signatures);
            }
            Message::Certificate { der } => {
                out.u8(CERTIFICATE);
                out.bytes(der);
            }
            Message::Have { blobs } => {
                out.u8(HAVE);
                out.u32(blobs.len() as u32);
                for (hash, size) in blobs {
                    out.text(hash);
                    out.u64(*size);
                }
            }
            Message::Want { hash, offset, len } => {
                out.u8(WANT);
                out.text(hash);
                out.u64(*offset);
                out.u64(*len);
            }
            Message::Chunk {
                hash,
                offset,
                total,
                bytes,
            } => {
                out.u8(CHUNK_TAG);
                out.text(hash);
                out.u64(*offset);
                out.u64(*total);
                out.bytes(bytes);
            }
            Message::Bye { reason } => {
                out.u8(BYE);
                out.text(reason);
            }
            Message::Done => out.u8(DONE),
            Message::Ping => out.u8(PING),
            Message::Refused { document, reason } => {
                out.u8(REFUSED);
                out.text(document);
                out.bytes(reason.as_bytes());
            }
            Message::Join { token, request } => {
                out.u8(JOIN);
                out.text(token);
                out.bytes(request);
            }
            Message::Welcome {
                certificate,
                authority,
                class_document,
                revocations,
                signatures,
                certificates,
            } => {
                out.u8(WELCOME);
                out.bytes(certificate);
                out.bytes(authority);
                out.bytes(class_document);
                out.bytes(revocations);
                out.signatures(signatures);
                out.u32(certificates.len() as u32);
                for der in certificates {
                    out.bytes(der);
                }
            }
            Message::CodeJoin { slot, pake } => {
                out.u8(CODE_JOIN);
                out.text(slot);
                out.bytes(pake);
            }
            Message::CodeReply { pake, proof } => {
                out.u8(CODE_REPLY);
                out.bytes(pake);
                out.bytes(proof);
            }
            Message::CodeProof { proof } => {
                out.u8(CODE_PROOF);
                out.bytes(proof);
            }
            Message::Invite { invitation } => {
                out.u8(INVITE);
                out.bytes(invitation);
            }
        }
        out.0
    }

    /// Reads a frame body.
    pub fn decode(body: &[u8]) -> Result<Message, FrameError> {
        if body.len() > MAX_FRAME {
            return Err(FrameError::TooLong {
                len: body.len() as u64,
            });
        }
        let mut r = Reader(body);
        let message = match r.u8()? {
            HELLO => Message::Hello {
                version: r.u16()?,
                device: r.text()?,
                class: r.text()?,
                revocations: r.u64()?,
                // Said since the Hello grew; a Hello without them (an older app) means 0.
                clock: r.optional_u64()?,
                free: r.optional_u64()?,
                live: r.optional_u64()? != 0,
            },
            REVOCATIONS => Message::Revocations { der: r.bytes()? },
            DOCUMENTS => {
                let n = r.count()?;
                let mut list = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    list.push((r.text()?, kind_of(r.u8()?)?));
                }
                Message::Documents { list }
            }
            SYNC => Message::Sync {
                document: r.text()?,
                message: r.bytes()?,
                signatures: r.signatures()?,
            },
            CERTIFICATE => Message::Certificate { der: r.bytes()? },
            HAVE => {
                let n = r.count()?;
                let mut blobs = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    blobs.push((r.text()?, r.u64()?));
                }
                Message::Have { blobs }
            }
            WANT => Message::Want {
                hash: r.text()?,
                offset: r.u64()?,
                len: r.u64()?,
            },
            CHUNK_TAG => Message::Chunk {
                hash: r.text()?,
                offset: r.u64()?,
                total: r.u64()?,
                bytes: r.bytes()?,
            },
            BYE => Message::Bye { reason: r.text()? },
            DONE => Message::Done,
            PING => Message::Ping,
            REFUSED => Message::Refused {
                document: r.text()?,
                reason: String::from_utf8(r.bytes()?).map_err(|_| FrameError::NotUtf8)?,
            },
            JOIN => Message::Join {
                token: r.text()?,
                request: r.bytes()?,
            },
            WELCOME => Message::Welcome {
                certificate: r.bytes()?,
                authority: r.bytes()?,
                class_document: r.bytes()?,
                revocations: r.bytes()?,
                signatures: r.signatures()?,
                certificates: r.certificates()?,
            },
            CODE_JOIN => Message::CodeJoin {
                slot: r.text()?,
                pake: r.bytes()?,
            },
            CODE_REPLY => Message::CodeReply {
                pake: r.bytes()?,
                proof: r.bytes()?,
            },
            CODE_PROOF => Message::CodeProof { proof: r.bytes()? },
            INVITE => Message::Invite {
                invitation: r.bytes()?,
            },
            tag => return Err(FrameError::UnknownTag { tag }),
        };
        // A Hello may grow at its end (a newer app says more about itself); every other
        // frame is exactly its fields.
        if !r.0.is_empty() && !matches!(message, Message::Hello { .. }) {
            return Err(FrameError::Trailing { len: r.0.len() });
        }
        Ok(message)
    }
}

/// Reads the length prefix of the next frame, refusing a length over [`MAX_FRAME`] before the
/// body is read or allocated.
pub fn body_len(prefix: [u8; 4]) -> Result<usize, FrameError> {
    let len = u32::from_be_bytes(prefix) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLong { len: len as u64 });
    }
    Ok(len)
}

/// Whether a frame body carries blob bytes (a Chunk): sent after every waiting document frame.
pub fn is_media(body: &[u8]) -> bool {
    body.first() == Some(&CHUNK_TAG)
}

/// A whole frame: length prefix and body.
pub fn with_prefix(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend((body.len() as u32).to_be_bytes());
    out.extend(body);
    out
}

fn kind_tag(kind: DocumentKind) -> u8 {
    match kind {
        DocumentKind::Project => 1,
        DocumentKind::Class => 2,
        DocumentKind::Review => 3,
        DocumentKind::Identities => 4,
    }
}

fn kind_of(tag: u8) -> Result<DocumentKind, FrameError> {
    Ok(match tag {
        1 => DocumentKind::Project,
        2 => DocumentKind::Class,
        3 => DocumentKind::Review,
        4 => DocumentKind::Identities,
        _ => return Err(FrameError::UnknownKind { tag }),
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend(v.to_be_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend(v.to_be_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend(v.to_be_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u32(v.len() as u32);
        self.0.extend(v);
    }
    fn text(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    fn signatures(&mut self, list: &[Signature]) {
        self.u32(list.len() as u32);
        for s in list {
            self.text(&s.signer);
            self.0.extend(s.hash);
            self.u64(s.seq);
            self.bytes(&s.signature);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    /// A u64 if the body goes on, 0 where it ends.
    fn optional_u64(&mut self) -> Result<u64, FrameError> {
        if self.0.is_empty() {
            Ok(0)
        } else {
            self.u64()
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8], FrameError> {
        if self.0.len() < n {
            return Err(FrameError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, FrameError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, FrameError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, FrameError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn count(&mut self) -> Result<usize, FrameError> {
        let n = self.u32()? as usize;
        if n > MAX_ENTRIES {
            return Err(FrameError::TooMany { count: n });
        }
        Ok(n)
    }
    fn bytes(&mut self) -> Result<Vec<u8>, FrameError> {
        let n = self.u32()? as usize;
        Ok(self.take(n)?.to_vec())
    }
    fn text(&mut self) -> Result<String, FrameError> {
        let n = self.u32()? as usize;
        if n > MAX_TEXT {
            return Err(FrameError::TextTooLong { len: n });
        }
        String::from_utf8(self.take(n)?.to_vec()).map_err(|_| FrameError::NotUtf8)
    }
    fn signatures(&mut self) -> Result<Vec<Signature>, FrameError> {
        let n = self.u32()? as usize;
        if n > MAX_SIGNATURES {
            return Err(FrameError::TooMany { count: n });
        }
        let mut list = Vec::with_capacity(n.min(16));
        for _ in 0..n {
            let signer = self.text()?;
            let mut hash = [0u8; 32];
            hash.copy_from_slice(self.take(32)?);
            let seq = self.u64()?;
            let len = self.u32()? as usize;
            if len != SIGNATURE_LEN {
                return Err(FrameError::SignatureLength { len });
            }
            let signature = self.take(len)?.to_vec();
            list.push(Signature {
                signer,
                hash,
                seq,
                signature,
            });
        }
        Ok(list)
    }
    fn certificates(&mut self) -> Result<Vec<Vec<u8>>, FrameError> {
        let n = self.u32()? as usize;
        if n > MAX_SIGNATURES {
            return Err(FrameError::TooMany { count: n });
        }
        let mut list = Vec::with_capacity(n.min(16));
        for _ in 0..n {
            list.push(self.bytes()?);
        }
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        "[a-z0-9-]{0,40}"
    }

    fn signature() -> impl Strategy<Value = Signature> {
        (text(), any::<[u8; 32]>(), any::<u64>(), any::<[u8; 32]>()).prop_map(
            |(signer, hash, seq, half)| Signature {
                signer,
                hash,
                seq,
                signature: [half, half].concat(),
            },
        )
    }

    fn kind() -> impl Strategy<Value = DocumentKind> {
        prop_oneof![
            Just(DocumentKind::Project),
            Just(DocumentKind::Class),
            Just(DocumentKind::Review),
            Just(DocumentKind::Identities)
        ]
    }

    fn message() -> impl Strategy<Value = Message> {
        let bytes = proptest::collection::vec(any::<u8>(), 0..300);
        prop_oneof![
            (
                any::<u16>(),
                text(),
                text(),
                any::<u64>(),
                any::<u64>(),
                any::<u64>(),
                any::<bool>()
            )
                .prop_map(|(v, d, c, r, clock, free, live)| Message::Hello {
                    version: v,
                    device: d,
                    class: c,
                    revocations: r,
                    clock,
                    free,
                    live,
                }),
            bytes.clone().prop_map(|der| Message::Revocations { der }),
            proptest::collection::vec((text(), kind()), 0..5)
                .prop_map(|list| Message::Documents { list }),
            (
                text(),
                bytes.clone(),
                proptest::collection::vec(signature(), 0..3)
            )
                .prop_map(|(document, message, signatures)| Message::Sync {
                    document,
                    message,
                    signatures
                }),
            bytes.clone().prop_map(|der| Message::Certificate { der }),
            proptest::collection::vec((text(), any::<u64>()), 0..5)
                .prop_map(|blobs| Message::Have { blobs }),
            (text(), any::<u64>(), any::<u64>()).prop_map(|(hash, offset, len)| Message::Want {
                hash,
                offset,
                len
            }),
            (text(), any::<u64>(), any::<u64>(), bytes.clone()).prop_map(
                |(hash, offset, total, bytes)| {
                    Message::Chunk {
                        hash,
                        offset,
                        total,
                        bytes,
                    }
                }
            ),
            text().prop_map(|reason| Message::Bye { reason }),
            Just(Message::Done),
            Just(Message::Ping),
            (text(), text()).prop_map(|(document, reason)| Message::Refused { document, reason }),
            (text(), bytes.clone()).prop_map(|(token, request)| Message::Join { token, request }),
            (
                (bytes.clone(), bytes.clone(), bytes.clone(), bytes.clone()),
                proptest::collection::vec(signature(), 0..3),
                proptest::collection::vec(bytes.clone(), 0..3)
            )
                .prop_map(|((c, a, d, r), signatures, certificates)| {
                    Message::Welcome {
                        certificate: c,
                        authority: a,
                        class_document: d,
                        revocations: r,
                        signatures,
                        certificates,
                    }
                }),
            (text(), bytes.clone()).prop_map(|(slot, pake)| Message::CodeJoin { slot, pake }),
            (bytes.clone(), bytes.clone())
                .prop_map(|(pake, proof)| Message::CodeReply { pake, proof }),
            bytes.clone().prop_map(|proof| Message::CodeProof { proof }),
            bytes
                .clone()
                .prop_map(|invitation| Message::Invite { invitation }),
        ]
    }

    proptest! {
        #[test]
        fn every_message_reads_back_as_written(m in message()) {
            prop_assert_eq!(Message::decode(&m.encode()), Ok(m));
        }

        #[test]
        fn any_cut_of_a_frame_is_refused_not_misread(m in message(), cut in 0usize..64) {
            let body = m.encode();
            let cut = cut.min(body.len().saturating_sub(1));
            // A Hello cut exactly before one of its optional last fields (clock, free, live:
            // 8 bytes each) is an older app's Hello.
            let older_hello = matches!(m, Message::Hello { .. })
                && body.len() - cut <= 24
                && (body.len() - cut) % 8 == 0;
            prop_assert!(older_hello || Message::decode(&body[..cut]).is_err());
        }

        #[test]
        fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = Message::decode(&body);
        }
    }

    #[test]
    fn hostile_lengths_are_refused_before_allocating() {
        assert!(body_len([0xFF, 0xFF, 0xFF, 0xFF]).is_err());
        assert_eq!(body_len([0, 0, 1, 0]), Ok(256));
        // A Have claiming four billion entries.
        let mut body = vec![HAVE];
        body.extend(u32::MAX.to_be_bytes());
        assert!(matches!(
            Message::decode(&body),
            Err(FrameError::TooMany { .. })
        ));
        let mut body = Message::Bye { reason: "x".into() }.encode();
        body.push(0);
        assert_eq!(Message::decode(&body), Err(FrameError::Trailing { len: 1 }));
    }

    #[test]
    fn a_hello_from_an_older_or_newer_app_still_reads() {
        let hello = Message::Hello {
            version: PROTOCOL_VERSION,
            device: "tab".into(),
            class: "5b".into(),
            revocations: 2,
            clock: 7,
            free: 9,
            live: true,
        };
        let full = hello.encode();
        // Older: without the clock, the free space and whether it is live.
        let older = &full[..full.len() - 24];
        match Message::decode(older).unwrap() {
            Message::Hello {
                clock,
                free,
                revocations,
                live,
                ..
            } => {
                assert_eq!((clock, free, revocations, live), (0, 0, 2, false))
            }
            other => panic!("{other:?}"),
        }
        // Newer: something more at the end.
        let mut newer = full.clone();
        newer.extend([1, 2, 3]);
        assert_eq!(Message::decode(&newer).unwrap(), hello);
    }
}
