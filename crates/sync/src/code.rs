//! Enrolment by a short code typed on the tablet, for when the QR code cannot be scanned (no
//! camera, a scratched lens, a teacher reading the code out to the room).
//!
//! The teacher's screen shows eight digits: the first two name the open code (its slot), the
//! other six are a secret. The secret never crosses the network: both sides run SPAKE2 with
//! it, so a device that does not know it learns nothing it could test guesses against and gets
//! one guess per attempt (the teacher's device voids a code after a few failed attempts). Each
//! side then proves it holds the same key, bound to the TLS connection they share (a keying
//! material exporter), so a device in the middle relaying between two connections is found
//! out. Only then does the teacher's device hand over the invitation (what the QR code would
//! have carried, with the CA fingerprint), and the tablet enrols with it the usual way.
//!
//! This module is the arithmetic only; [`crate::net`] carries it over TLS.

use spake2::{Ed25519Group, Identity, Password, Spake2};

use crate::error::{Error, Refusal, Result};

/// Digits naming the open code.
pub const SLOT_DIGITS: usize = 2;
/// Digits of the secret.
pub const SECRET_DIGITS: usize = 6;
/// The TLS exporter label both sides bind their proofs to.
pub const EXPORTER_LABEL: &[u8] = b"EXPORTER-hugme-enrolment-code";

const TABLET: &[u8] = b"hugme tablet";
const TEACHER: &[u8] = b"hugme teacher";

/// An open code as the teacher's device holds it: the secret, and the invitation it hands
/// over (opaque here: the app's enrolment payload).
#[derive(Debug, Clone)]
pub struct OpenCode {
    pub secret: String,
    pub invitation: Vec<u8>,
}

/// A short enrolment code: which open code, and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortCode {
    pub slot: String,
    pub secret: String,
}

impl ShortCode {
    /// A fresh code whose slot is not `taken` (by another code still open). `None` when
    /// every slot is.
    pub fn random(taken: impl Fn(&str) -> bool) -> Option<ShortCode> {
        // Random slots first; a full sweep only when the room is crowded with open codes.
        for _ in 0..50 {
            let digits = random_digits(SLOT_DIGITS + SECRET_DIGITS);
            let (slot, secret) = digits.split_at(SLOT_DIGITS);
            if !taken(slot) {
                return Some(ShortCode {
                    slot: slot.into(),
                    secret: secret.into(),
                });
            }
        }
        let slot = (0..100).map(|n| format!("{n:02}")).find(|s| !taken(s))?;
        Some(ShortCode {
            slot,
            secret: random_digits(SECRET_DIGITS),
        })
    }

    /// Reads what a pupil typed: eight digits; spaces, dashes and dots between them are fine.
    pub fn parse(typed: &str) -> Result<ShortCode> {
        let digits: String = typed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '\u{a0}'))
            .collect();
        if digits.len() != SLOT_DIGITS + SECRET_DIGITS
            || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return Err(Error::MistypedCode {
                typed: typed.to_owned(),
                digits: SLOT_DIGITS + SECRET_DIGITS,
            });
        }
        let (slot, secret) = digits.split_at(SLOT_DIGITS);
        Ok(ShortCode {
            slot: slot.into(),
            secret: secret.into(),
        })
    }

    /// As the teacher's screen shows it: "12 345 678".
    pub fn display(&self) -> String {
        format!("{} {} {}", self.slot, &self.secret[..3], &self.secret[3..])
    }
}

/// Decimal digits from the system's randomness (through UUID v4, already a dependency).
fn random_digits(n: usize) -> String {
    let mut out = String::new();
    while out.len() < n {
        for byte in uuid::Uuid::new_v4().into_bytes() {
            // 250 = 25 × 10: bytes above it would favour the low digits.
            if byte < 250 && out.len() < n {
                out.push(char::from(b'0' + byte % 10));
            }
        }
    }
    out
}

/// The tablet's half, between its first message and the teacher's answer.
pub struct TabletSide(Spake2<Ed25519Group>);

impl std::fmt::Debug for TabletSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TabletSide(..)")
    }
}

/// Starts the exchange on the tablet: its state and the message to send with the slot.
pub fn tablet_start(code: &ShortCode) -> (TabletSide, Vec<u8>) {
    let (state, message) = Spake2::<Ed25519Group>::start_a(
        &Password::new(code.secret.as_bytes()),
        &Identity::new(TABLET),
        &Identity::new(TEACHER),
    );
    (TabletSide(state), message)
}

impl TabletSide {
    /// Checks the teacher's answer; on success, the proof the tablet sends back. `binding` is
    /// the connection's exported keying material.
    pub fn finish(
        self,
        teacher_message: &[u8],
        teacher_proof: &[u8],
        binding: &[u8],
    ) -> Result<Vec<u8>> {
        let key = self
            .0
            .finish(teacher_message)
            .map_err(|_| Error::Enrolment(Refusal::Nonsense))?;
        if !same(&proof(&key, TEACHER, binding), teacher_proof) {
            return Err(Error::Enrolment(Refusal::WrongCode));
        }
        Ok(proof(&key, TABLET, binding).to_vec())
    }
}

/// The teacher's half: what it expects the tablet to prove.
#[derive(Debug)]
pub struct TeacherSide {
    expected: [u8; 32],
}

/// Answers a tablet's first message on the teacher's device: the state, the message and the
/// proof to send.
pub fn teacher_answer(
    secret: &str,
    tablet_message: &[u8],
    binding: &[u8],
) -> Result<(TeacherSide, Vec<u8>, Vec<u8>)> {
    let (state, message) = Spake2::<Ed25519Group>::start_b(
        &Password::new(secret.as_bytes()),
        &Identity::new(TABLET),
        &Identity::new(TEACHER),
    );
    let key = state
        .finish(tablet_message)
        .map_err(|_| Error::Enrolment(Refusal::Nonsense))?;
    let side = TeacherSide {
        expected: proof(&key, TABLET, binding),
    };
    Ok((side, message, proof(&key, TEACHER, binding).to_vec()))
}

impl TeacherSide {
    /// Whether the tablet proved it typed the code.
    pub fn accepts(&self, tablet_proof: &[u8]) -> bool {
        same(&self.expected, tablet_proof)
    }
}

fn proof(key: &[u8], who: &[u8], binding: &[u8]) -> [u8; 32] {
    let mut keyed = [0u8; 32];
    keyed.copy_from_slice(blake3::hash(key).as_bytes());
    let mut mac = blake3::Hasher::new_keyed(&keyed);
    mac.update(who);
    mac.update(binding);
    *mac.finalize().as_bytes()
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(
        teacher_secret: &str,
        typed: &ShortCode,
        teacher_binding: &[u8],
        tablet_binding: &[u8],
    ) -> (Result<Vec<u8>>, bool) {
        let (tablet, first) = tablet_start(typed);
        let (teacher, answer, teacher_proof) =
            teacher_answer(teacher_secret, &first, teacher_binding).unwrap();
        match tablet.finish(&answer, &teacher_proof, tablet_binding) {
            Ok(p) => {
                let accepted = teacher.accepts(&p);
                (Ok(p), accepted)
            }
            Err(e) => (Err(e), false),
        }
    }

    #[test]
    fn the_right_code_is_proved_both_ways() {
        let code = ShortCode::random(|_| false).unwrap();
        let (tablet, accepted) = exchange(&code.secret, &code, b"tls", b"tls");
        assert!(tablet.is_ok());
        assert!(accepted);
    }

    #[test]
    fn a_wrong_code_is_found_out_before_the_tablet_proves_anything() {
        let code = ShortCode::parse("12 345 678").unwrap();
        let (tablet, accepted) = exchange("345679", &code, b"tls", b"tls");
        assert!(matches!(tablet, Err(Error::Enrolment(_))));
        assert!(!accepted);
    }

    #[test]
    fn a_device_relaying_between_two_connections_is_found_out() {
        // Same code, but the two ends hold different TLS sessions (a relay in the middle).
        let code = ShortCode::random(|_| false).unwrap();
        let (tablet, accepted) = exchange(&code.secret, &code, b"tls to relay", b"tls from relay");
        assert!(tablet.is_err());
        assert!(!accepted);
    }

    #[test]
    fn a_proof_for_one_side_does_not_pass_for_the_other() {
        // A relay reflecting the teacher's own proof back must not pass as the tablet's.
        let code = ShortCode::random(|_| false).unwrap();
        let (_tablet, first) = tablet_start(&code);
        let (teacher, _, teacher_proof) = teacher_answer(&code.secret, &first, b"tls").unwrap();
        assert!(!teacher.accepts(&teacher_proof));
    }

    #[test]
    fn typed_codes_are_read_forgivingly_and_strictly() {
        let code = ShortCode::parse(" 07-123.456 ").unwrap();
        assert_eq!((code.slot.as_str(), code.secret.as_str()), ("07", "123456"));
        assert_eq!(code.display(), "07 123 456");
        for bad in ["", "1234567", "123456789", "12a45678", "１２３４５６７８"] {
            assert!(ShortCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fresh_codes_avoid_open_slots_and_use_every_digit() {
        assert_eq!(ShortCode::random(|s| s != "42").unwrap().slot, "42");
        assert_eq!(ShortCode::random(|_| true), None);
        let mut seen = [0u32; 10];
        for _ in 0..200 {
            for c in ShortCode::random(|_| false).unwrap().secret.bytes() {
                seen[usize::from(c - b'0')] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n > 60), "{seen:?}");
    }
}
