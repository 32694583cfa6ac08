//! A group's PIN, kept as a salted hash: the class document that holds it is on every
//! tablet of the class, so the digits must not be in it.
//!
//! Argon2id (RFC 9106) from RustCrypto's `argon2` crate, in the PHC string format, with a
//! random 16-byte salt and the crate's default cost (19 MiB, 2 passes: the OWASP minimum),
//! which a tablet checks in well under a second. A 4-to-6-digit PIN stays guessable by
//! someone who copies the class document off a tablet and spends the hours: it keeps a group's
//! work from a curious classmate at the tablet, not from a determined attacker.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The PHC string of `pin` with a fresh salt.
pub fn hash(pin: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.trim().as_bytes(), &salt)
        // Only an output or salt length out of Argon2's range fails, and both are fixed here.
        .map_or_else(|_| String::new(), |h| h.to_string())
}

/// Whether `typed` is the PIN whose PHC string is `hash`. A hash that cannot be read matches
/// nothing.
pub fn matches(typed: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(typed.trim().as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_salted_and_only_its_digits_match() {
        let a = hash("4321");
        let b = hash("4321");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert!(!a.contains("4321"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(matches("4321", &a) && matches(" 4321 ", &b));
        assert!(!matches("1234", &a));
        assert!(!matches("4321", "4321"), "digits are not a hash");
        assert!(!matches("", &a));
    }
}
