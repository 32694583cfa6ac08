//! A template handed to another teacher's device on the school network, by a short code.
//!
//! The sharing teacher's device opens a code for the template ([`share`]): eight digits, as for
//! letting a tablet in (`hugme_sync::code`), kept in its data folder with the template file
//! for [`SHARE_LIFETIME_MS`] and [`crate::enrolment::MAX_ATTEMPTS`] tries. The other
//! teacher types the code; their device asks the devices it can reach for it ([`receive`]):
//! the code is proved both ways (SPAKE2 over TLS, so neither a device that does not know the
//! code nor one in between learns or changes the template) and the template file comes back.
//! It is checked like a file opened from a disk ([`hugme_model::Template::from_file`]: size,
//! version, fields) and shown to accept; nothing arrives unasked. The two devices need not be
//! of one class.

use hugme_app::App;
use hugme_model::Template;
use hugme_store::{now_ms, Store};
use hugme_sync::code::{OpenCode, ShortCode};
use serde::{Deserialize, Serialize};

use crate::enrolment::MAX_ATTEMPTS;
use crate::error::{Error, Result};

/// How long a shared template's code stays open (ms): the colleague is in the next room.
pub const SHARE_LIFETIME_MS: i64 = 30 * 60 * 1000;

/// A template shared under a code, as the sharing device keeps it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ShareRecord {
    secret: String,
    /// The template file's text ([`Template::to_file`]).
    template: String,
    expires_at: i64,
    attempts: u32,
}

fn key(slot: &str) -> String {
    format!("template_share:{slot}")
}

fn record(store: &Store, slot: &str) -> Result<Option<ShareRecord>> {
    Ok(store
        .meta(&key(slot))?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

impl ShareRecord {
    /// Still open at `now` (ms): neither expired nor tried too often.
    fn is_open(&self, now: i64) -> bool {
        self.expires_at > now && self.attempts < MAX_ATTEMPTS
    }
}

/// Whether `slot` holds a template's code still open (an enrolment code must not take it).
pub(crate) fn shared(store: &Store, slot: &str) -> bool {
    record(store, slot)
        .ok()
        .flatten()
        .is_some_and(|r| r.is_open(now_ms()))
}

/// Opens a code for `template` on this teacher's device; the code as the screen shows it
/// ("1234 5678") and until when it is open (ms since the epoch).
///
/// # Errors
/// Not a teacher's device; a template over its limits; every code slot taken; a store error.
pub fn share(app: &App, template: &Template) -> Result<(String, i64)> {
    if !app.is_teacher()? {
        return Err(hugme_app::Error::NotTeacher.into());
    }
    let file = template.to_file().map_err(hugme_app::Error::from)?;
    let store = app.store();
    let code = ShortCode::random(|slot| crate::enrolment::codes::slot_taken(store, slot))
        .ok_or(Error::TooManyCodes)?;
    let expires_at = now_ms() + SHARE_LIFETIME_MS;
    let shared = ShareRecord {
        secret: code.secret.clone(),
        template: String::from_utf8(file).expect("a template file is JSON"),
        expires_at,
        attempts: 0,
    };
    store.set_meta(&key(&code.slot), &serde_json::to_string(&shared)?)?;
    Ok((code.display(), expires_at))
}

/// The template shared in `slot`, counting this attempt (this device answering another);
/// `None` when no template is shared there.
pub(crate) fn attempt(store: &Store, slot: &str) -> Result<Option<OpenCode>> {
    static COUNTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = hugme_task::lock(&COUNTING);
    // A share expired or tried too often is no share: a tablet's code may have taken its slot
    // since (its record stays until then; it must not shadow the tablet's).
    let Some(mut r) = record(store, slot)?.filter(|r| r.is_open(now_ms())) else {
        return Ok(None);
    };
    r.attempts += 1;
    store.set_meta(&key(slot), &serde_json::to_string(&r)?)?;
    Ok(Some(OpenCode {
        secret: r.secret,
        invitation: r.template.into_bytes(),
    }))
}

/// The template another teacher's device shares under the code `typed`, from the first of
/// `addresses` (typed, or heard on the network: [`crate::enrolment::teacher_addresses`]) that
/// has it, checked as any template file.
///
/// # Errors
/// A mistyped code; [`Error::NoTeacherFound`] with no address; the sharing device's refusal
/// (a wrong, expired or used-up code) before [`Error::Unreachable`]; an answer that is no
/// valid template (an enrolment code's invitation, say).
pub fn receive(typed: &str, addresses: &[String]) -> Result<Template> {
    let (_, file) = crate::enrolment::handed_over(typed, addresses)?;
    Template::from_file(&file).map_err(|e| Error::App(hugme_app::Error::from(e)))
}
