//! A class's devices: creating the class (this device becomes its teacher device and CA),
//! enrolling a tablet (a payload for a QR code, and a short code to type instead), joining
//! with either, and revoking.
//!
//! [`codes`]: the QR code and the short code on the teacher's screen; [`tries`]: what one
//! address may try of the open codes.

pub(crate) mod codes;
pub mod tries;

pub(crate) use codes::attempt as attempt_code;
pub use codes::{qr_png, qr_svg, read_qr, CODE_LIFETIME_MS, MAX_ATTEMPTS};

use automerge::AutoCommit;
use hugme_app::api::enrolment::EnrolmentView;
use hugme_app::App;
use hugme_model::{Class, Device, DeviceId, DeviceRole, DocumentKind, Written};
use hugme_store::now_ms;
use hugme_sync::authorship::{self, Signature};
use hugme_sync::code::ShortCode;
use hugme_sync::error::Refusal;
use hugme_sync::identity::{self, Authority};
use hugme_sync::policy::role_name;
use hugme_sync::Message;

use crate::error::{BadInvitation, Error, Result};
pub use crate::membership::invitations::Payload;
use crate::membership::invitations::{self, Invitation, Joining};
use crate::membership::{self, addresses, Identity};

/// How long an enrolment stays valid: a lesson, like its short code (the QR code shown on the
/// teacher's screen and the digits are one invitation).
const INVITATION_LIFETIME_MS: i64 = CODE_LIFETIME_MS;

/// An enrolment on the teacher's screen: the QR code's payload and the short code that
/// stands for it.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub payload: Payload,
    pub device_name: String,
    /// As shown: "12 345 678".
    pub code: String,
    pub code_expires_at: i64,
}

impl Enrolment {
    /// For the teacher's screen.
    pub fn view(&self) -> Result<EnrolmentView> {
        Ok(EnrolmentView {
            device_name: self.device_name.clone(),
            code: self.code.clone(),
            code_expires_at: self.code_expires_at,
            qr_svg: qr_svg(&self.payload)?,
            addresses: self.payload.hubs.clone(),
        })
    }
}

/// Creates a class in the data folder of `app`, which belongs to none: this device becomes
/// its teacher's device and its CA (the one that lets devices in and removes them).
///
/// # Errors
/// [`Error::ClassNeedsName`], [`Error::AlreadyInClass`]; the store's and the identity
/// files'.
pub fn create_class_as_teacher(app: &App, name: &str, groups: &[&str]) -> Result<Class> {
    if name.trim().is_empty() {
        return Err(Error::ClassNeedsName);
    }
    if app.device().is_some() {
        return Err(Error::AlreadyInClass);
    }
    let device = uuid::Uuid::new_v4().to_string();
    app.set_device(&device)?;
    let mut class = Class::new(name);
    for group in groups {
        class.add_group(group);
    }
    class.devices.push(Device {
        id: DeviceId::from(device.as_str()),
        name: "teacher".into(),
        role: DeviceRole::Teacher,
        groups: Vec::new(),
        enrolled_at: now_ms(),
        revoked: false,
        left_at: None,
        written_before_removal: Vec::new(),
    });
    let authority = Authority::create(class.id.as_str())?;
    let identity = Identity {
        credentials: authority.credentials_for(&device, role_name(DeviceRole::Teacher))?,
        authority: Some(authority),
    };
    identity.save(app.store().dir())?;
    app.create(class.id.as_str(), &class)?;
    membership::set_class_id(app.store(), class.id.as_str())?;
    membership::certify(app);
    Ok(class)
}

fn own_class(app: &App) -> Result<Class> {
    let id = membership::own_class_id(app.store())?;
    Ok(app.read::<Class>(&id)?.value)
}

/// Prepares the enrolment of a tablet of `group` (or, with `teacher`, of a second teacher
/// device) on the teacher's device of `app`: the QR code's payload, with `hubs` (host:port)
/// as the addresses to find this device at, and a short code for the same invitation. Both
/// are valid for one device, for [`CODE_LIFETIME_MS`].
///
/// # Errors
/// [`Error::NotClassAuthority`] on any other device; [`Error::GroupNeeded`] without a group
/// or `teacher`; [`hugme_app::Error::NoSuchGroup`]; [`Error::TooManyCodes`].
pub fn enrol(
    app: &App,
    group: Option<&str>,
    teacher: bool,
    hubs: &[String],
    name: Option<&str>,
) -> Result<Enrolment> {
    let identity = Identity::load(app)?;
    if identity.authority.is_none() {
        return Err(Error::NotClassAuthority);
    }
    let creds = identity.credentials;
    let class = own_class(app)?;
    let groups = match (group, teacher) {
        (_, true) => Vec::new(),
        (Some(name), false) => vec![class
            .group_named(name)
            .ok_or_else(|| hugme_app::Error::NoSuchGroup {
                class: class.name.as_str().into(),
                group: name.into(),
            })?
            .id
            .clone()],
        (None, false) => return Err(Error::GroupNeeded),
    };
    let device = uuid::Uuid::new_v4().to_string();
    let device_name = name
        .map(str::to_owned)
        .or_else(|| group.map(|g| format!("{g} tablet")))
        .unwrap_or_else(|| "teacher".into());
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let expires_at = now_ms() + INVITATION_LIFETIME_MS;
    invitations::put_invitation(
        app.store(),
        &token,
        &Invitation {
            device: device.clone(),
            expires_at,
            used: false,
            joins_as: Some(Joining {
                name: device_name.clone(),
                role: if teacher {
                    DeviceRole::Teacher
                } else {
                    DeviceRole::GroupTablet
                },
                groups,
            }),
        },
    )?;
    let payload = Payload {
        class: class.id.to_string(),
        class_name: class.name.as_str().into(),
        authority: identity::fingerprint(&creds.authority),
        hubs: hubs.to_vec(),
        token,
        device,
        expires_at,
    };
    let (code, code_expires_at) = codes::open(app.store(), &payload)?;
    Ok(Enrolment {
        payload,
        device_name,
        code: code.display(),
        code_expires_at,
    })
}

/// Where to ask for a typed code: addresses typed too, then (with `discovery`) the teachers'
/// devices heard on the network within three seconds.
pub fn teacher_addresses(typed: &[String], discovery: bool) -> Result<Vec<String>> {
    let mut addresses: Vec<String> = typed
        .iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .map(|a| {
            if a.contains(':') {
                a
            } else {
                format!("{a}:{}", addresses::PORT)
            }
        })
        .collect();
    if discovery {
        let heard = hugme_discovery::teachers(std::time::Duration::from_secs(3))
            .map_err(Error::Announce)?;
        addresses.extend(heard.into_iter().map(|a| a.to_string()));
    }
    Ok(addresses)
}

/// Joins a class with a short code typed from the teacher's screen: asks the devices at
/// `addresses` in turn (typed, or heard on the network) for the invitation it stands for
/// ([`invitation_by_code`]), then joins with it ([`join`]). The device id and the invitation.
///
/// # Errors
/// [`Error::AlreadyInClass`]; [`invitation_by_code`]'s; [`join`]'s.
pub fn join_by_code(app: &App, typed: &str, addresses: &[String]) -> Result<(String, Payload)> {
    if app.device().is_some() {
        return Err(Error::AlreadyInClass);
    }
    let payload = invitation_by_code(typed, addresses)?;
    let device = join(app, &payload)?;
    Ok((device, payload))
}

/// The invitation a short code typed from the teacher's screen stands for, from the first of
/// `addresses` (typed, or heard on the network) that takes it: the class is known before
/// this device asks to join it (a device already in that class asks nothing, and so is not
/// listed in it twice). Its first address is the one that answered.
///
/// # Errors
/// A mistyped code; [`Error::NoTeacherFound`] with no address; the teacher's device's refusal
/// (a wrong or void code) before [`Error::Unreachable`].
pub fn invitation_by_code(typed: &str, addresses: &[String]) -> Result<Payload> {
    let (addr, invitation) = handed_over(typed, addresses)?;
    let mut payload: Payload = serde_json::from_slice(&invitation)
        .map_err(|_| Error::BadInvitation(BadInvitation::Unreadable(addr.clone())))?;
    // The address that answered works from here; try it first.
    payload.hubs.retain(|h| h != &addr);
    payload.hubs.insert(0, addr);
    Ok(payload)
}

/// What a short code stands for (an invitation, or a shared template), from the first of
/// `addresses` that takes the code, and that address. The code is proved both ways
/// ([`hugme_sync::net::invitation_by_code`]).
///
/// # Errors
/// A mistyped code; [`Error::NoTeacherFound`] with no address; a device's refusal (a wrong or
/// void code) before [`Error::Unreachable`].
pub fn handed_over(typed: &str, addresses: &[String]) -> Result<(String, Vec<u8>)> {
    let code = ShortCode::parse(typed)?;
    if addresses.is_empty() {
        return Err(Error::NoTeacherFound);
    }
    let runtime = runtime()?;
    // A refusal from a device that took the code beats "could not connect" from the others.
    let mut refusal = None;
    let mut unreachable = None;
    for addr in addresses {
        match runtime.block_on(hugme_sync::net::invitation_by_code(addr, &code)) {
            Ok(handed) => return Ok((addr.clone(), handed)),
            Err(e @ hugme_sync::Error::Enrolment(_)) => {
                refusal.get_or_insert(Error::Sync(e));
            }
            Err(source) => {
                unreachable.get_or_insert(Error::Unreachable {
                    addr: addr.clone(),
                    source: Box::new(source),
                });
            }
        }
    }
    Err(refusal.or(unreachable).unwrap_or(Error::NoTeacherFound))
}

/// Joins a class with an enrolment payload (a QR code's, or a typed code's invitation):
/// reaches the teacher's device at one of the payload's addresses and obtains this device's
/// certificate and the class document. The device id.
///
/// # Errors
/// [`Error::AlreadyInClass`]; the teacher's device's refusal (used, expired, unknown);
/// [`Error::BadInvitation`] for an answer that cannot be used; the last address's failure.
pub fn join(app: &App, payload: &Payload) -> Result<String> {
    if app.device().is_some() {
        return Err(Error::AlreadyInClass);
    }
    if payload.expires_at < now_ms() {
        return Err(Refusal::ExpiredInvitation.into());
    }
    let (key, request) = identity::request(&payload.device)?;
    let runtime = runtime()?;
    let mut last = Error::BadInvitation(BadInvitation::NoAddress);
    for addr in &payload.hubs {
        let answer = runtime.block_on(hugme_sync::net::join(
            addr,
            &payload.authority,
            &payload.token,
            request.clone(),
        ));
        match answer {
            Ok(Message::Welcome {
                certificate,
                authority,
                class_document,
                revocations,
                signatures,
                certificates,
            }) => {
                let credentials = identity::Credentials {
                    device: payload.device.clone(),
                    class: payload.class.clone(),
                    authority,
                    certificate,
                    key,
                };
                let (device, class) = identity::identity_of(&credentials.certificate)?;
                if device != payload.device || class != payload.class {
                    return Err(Error::BadInvitation(BadInvitation::OtherDevice));
                }
                let doc = AutoCommit::load(&class_document)
                    .map_err(|_| Error::BadInvitation(BadInvitation::DamagedClass))?;
                let identity = Identity {
                    credentials,
                    authority: None,
                };
                identity.save(app.store().dir())?;
                let signatures = class_signatures(
                    app,
                    &payload.class,
                    &identity.credentials.authority,
                    &signatures,
                    &certificates,
                )?;
                // With its signatures in one go (a tablet killed in between would hold the
                // class's changes without what vouches for them).
                app.store().create_signed_document(
                    &payload.class,
                    DocumentKind::Class,
                    doc,
                    signatures,
                )?;
                if !revocations.is_empty() {
                    membership::set_revocations(app.store(), &revocations)?;
                }
                app.set_device(&payload.device)?;
                membership::set_class_id(app.store(), &payload.class)?;
                membership::certify(app);
                // The way back to the teacher's device when multicast does not get through.
                addresses::set_enrolment_hubs(app.store(), &payload.hubs)?;
                return Ok(payload.device.clone());
            }
            Ok(_) => last = Error::BadInvitation(BadInvitation::OtherAnswer(addr.clone())),
            Err(e @ hugme_sync::Error::Enrolment(_)) => return Err(Error::Sync(e)),
            Err(source) => {
                last = Error::Unreachable {
                    addr: addr.clone(),
                    source: Box::new(source),
                }
            }
        }
    }
    Err(last)
}

/// Removes a device from the class: marks it revoked and issues a newer revocation list,
/// which every peer passes on and honours. The list's number.
///
/// # Errors
/// [`Error::NotClassAuthority`] on any device but the teacher's that created the class;
/// [`Error::NoSuchDevice`].
pub fn revoke(app: &App, device: &str) -> Result<u64> {
    // One at a time (the end of the term removes devices from several sessions at once):
    // two lists with the same number would each leave out the other's device.
    static REVOKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = hugme_task::lock(&REVOKING);
    let identity = Identity::load(app)?;
    let creds = identity.credentials;
    let authority = identity.authority.ok_or(Error::NotClassAuthority)?;
    let class_id = membership::own_class_id(app.store())?;
    if !own_class(app)?
        .devices
        .iter()
        .any(|d| d.id.as_str() == device)
    {
        return Err(Error::NoSuchDevice(device.to_owned()));
    }
    // What it had written stays; anything later under its name is refused everywhere.
    let written = written_by(app, device)?;
    app.update_class(&class_id.as_str().into(), |c| {
        let Some(entry) = c.devices.iter_mut().find(|d| d.id.as_str() == device) else {
            return Err(hugme_app::Error::NotThere {
                what: "device",
                id: device.to_owned(),
            });
        };
        entry.revoked = true;
        entry.written_before_removal = written;
        Ok(())
    })?;
    // The list is this device's own record of removals, only ever added to: never the
    // roster's flags, which a forged change could have turned back.
    let revoked = membership::add_removal(app.store(), device)?;
    let number = membership::revocations(app.store())?
        .and_then(|der| identity::verified_revocations(&der, &creds.authority))
        .unwrap_or(0)
        + 1;
    let list = authority.revocation_list(number, &revoked)?;
    membership::set_revocations(app.store(), &list)?;
    Ok(number)
}

/// The newest change of `device` to each document held here (its sequence number and hash),
/// read from the documents' histories.
fn written_by(app: &App, device: &str) -> Result<Vec<Written>> {
    let actor = hugme_sync::policy::actor_for(device);
    let mut written = Vec::new();
    let mut documents = hugme_task::lock(app.documents());
    for info in documents.store().documents()? {
        let Some(doc) = documents.open(&info.id)? else {
            continue;
        };
        let newest = doc
            .doc_mut()
            .get_changes_meta(&[])
            .iter()
            .filter(|c| *c.actor == actor)
            .max_by_key(|c| c.seq)
            .map(|c| (c.seq, c.hash.to_string()));
        if let Some((changes, hash)) = newest {
            written.push(Written {
                document: info.id.clone(),
                changes,
                hash,
            });
        }
    }
    Ok(written)
}

/// The class document's signatures that its authors' certificates (checked against the
/// class CA, and kept) verify, as the store keeps them.
fn class_signatures(
    app: &App,
    class: &str,
    authority: &[u8],
    signatures: &[Signature],
    certificates: &[Vec<u8>],
) -> Result<Vec<hugme_store::StoredSignature>> {
    let mut certified = std::collections::HashMap::new();
    for der in certificates {
        if let Ok(c) = authorship::certified(der, authority, class) {
            app.store().keep_certificate(&c.device, der).wait()?;
            certified.insert(c.device.clone(), c);
        }
    }
    Ok(signatures
        .iter()
        .filter(|s| {
            certified
                .get(&s.signer)
                .is_some_and(|c| c.verifies(class, class, s))
        })
        .map(|s| {
            (
                s.signer.clone(),
                s.hash.to_vec(),
                s.seq,
                s.signature.clone(),
            )
        })
        .collect())
}

/// The runtime for network commands.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::Network)
}
