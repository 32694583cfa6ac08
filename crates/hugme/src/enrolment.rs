//! A class's devices: creating the class (this device becomes its teacher device and CA),
//! enrolling a tablet (a payload for a QR code, and a short code to type instead), joining
//! with either, and revoking.
//!
//! [`codes`]: the QR code and the short code on the teacher's screen.

mod codes;

pub(crate) use codes::attempt as attempt_code;
pub use codes::{qr_png, qr_svg, read_qr};

use std::path::Path;

use automerge::AutoCommit;
use hugme_model::{Class, ClassId, Device, DeviceId, DeviceRole, DocumentKind};
use hugme_store::now_ms;
use hugme_sync::code::ShortCode;
use hugme_sync::identity::{self, Authority};
use hugme_sync::Message;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::error::{Error, Result};
use crate::hub::{self, Invitation, Joining, CLASS_KEY};

/// How long an enrolment code stays valid.
const INVITATION_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

/// What the QR code carries: enough for a tablet to find the teacher's device, know it is the
/// right one, and be let in once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Payload {
    pub class: String,
    pub class_name: String,
    /// BLAKE3 of the class CA certificate.
    pub authority: String,
    /// Addresses where the teacher's device serves (host:port).
    pub hubs: Vec<String>,
    pub token: String,
    pub device: String,
    pub expires_at: i64,
}

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

/// What the teacher's screen shows to let a tablet in.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct EnrolmentView {
    /// The device's name in the class list ("Kettu tablet").
    pub device_name: String,
    /// "12 345 678": typed on the tablet.
    pub code: String,
    pub code_expires_at: i64,
    /// The QR code of the whole invitation, as SVG.
    pub qr_svg: String,
    /// Where the tablet will look for this device (host:port); empty when it is offline.
    pub addresses: Vec<String>,
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

/// Creates a class in an empty data folder; this device becomes its teacher device and CA.
pub fn create_class(dir: &Path, name: &str, groups: &[&str]) -> Result<Class> {
    create_class_in(&App::open(dir)?, dir, name, groups)
}

/// [`create_class`] on the open data folder `dir` of `app` (a teacher starting in the app).
pub fn create_class_in(app: &App, dir: &Path, name: &str, groups: &[&str]) -> Result<Class> {
    if name.trim().is_empty() {
        return Err(Error::Identity("a class needs a name".into()));
    }
    if app.device().is_some() {
        return Err(Error::Identity(
            "this data folder already belongs to a class".into(),
        ));
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
    });
    let authority = Authority::create(class.id.as_str())?;
    let credentials = authority.credentials_for(&device)?;
    hub::save_identity(dir, &credentials, Some(&authority))?;
    app.create(class.id.as_str(), &class)?;
    app.store().set_meta(CLASS_KEY, class.id.as_str())?;
    Ok(class)
}

fn own_class(app: &App) -> Result<(ClassId, Class)> {
    let id = app
        .store()
        .meta(CLASS_KEY)?
        .ok_or_else(|| Error::Identity("this data folder belongs to no class".into()))?;
    let class = app.read::<Class>(&id)?.value;
    Ok((ClassId::from(id.as_str()), class))
}

/// Prepares the enrolment of a tablet of `group` (or of a second teacher device).
pub fn enrol(
    dir: &Path,
    group: Option<&str>,
    teacher: bool,
    hubs: &[String],
    name: Option<&str>,
) -> Result<Payload> {
    Ok(enrol_in(&App::open(dir)?, dir, group, teacher, hubs, name)?.payload)
}

/// [`enrol`] on the open data folder `dir` of `app` (the teacher's running app), with a
/// short code for the same invitation.
pub fn enrol_in(
    app: &App,
    dir: &Path,
    group: Option<&str>,
    teacher: bool,
    hubs: &[String],
    name: Option<&str>,
) -> Result<Enrolment> {
    let creds = hub::load_identity(dir, app.store())?;
    let authority = hub::load_authority(dir, &creds)?;
    if authority.is_none() {
        return Err(Error::Identity(
            "only the teacher's device that created the class can enrol devices".into(),
        ));
    }
    let (class_id, class) = own_class(app)?;
    let groups = match (group, teacher) {
        (_, true) => Vec::new(),
        (Some(name), false) => vec![class
            .group_named(name)
            .ok_or_else(|| Error::NoSuchGroup {
                class: class.name.as_str().into(),
                group: name.into(),
            })?
            .id
            .clone()],
        (None, false) => {
            return Err(Error::Identity(
                "say which group the tablet is for (--group), or --teacher".into(),
            ))
        }
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
    hub::put_invitation(
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
        class: class_id.to_string(),
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
                format!("{a}:{}", crate::network::PORT)
            }
        })
        .collect();
    if discovery {
        let heard = hugme_discovery::teachers(std::time::Duration::from_secs(3))
            .map_err(|e| Error::Identity(e.to_string()))?;
        addresses.extend(heard.into_iter().map(|a| a.to_string()));
    }
    Ok(addresses)
}

/// Joins a class with a short code typed from the teacher's screen: asks the devices at
/// `addresses` in turn (typed, or heard on the network) for the invitation it stands for,
/// then joins with it.
pub fn join_by_code(dir: &Path, typed: &str, addresses: &[String]) -> Result<(String, Payload)> {
    join_by_code_in(&App::open(dir)?, dir, typed, addresses)
}

/// [`join_by_code`] on the open data folder `dir` of `app` (a tablet joining in the app).
pub fn join_by_code_in(
    app: &App,
    dir: &Path,
    typed: &str,
    addresses: &[String],
) -> Result<(String, Payload)> {
    if app.device().is_some() {
        return Err(Error::Identity(
            "this data folder already belongs to a class".into(),
        ));
    }
    let code = ShortCode::parse(typed).map_err(|e| Error::Identity(e.to_string()))?;
    if addresses.is_empty() {
        return Err(Error::Identity(
            "no teacher's device found on this network: type its address too".into(),
        ));
    }
    let runtime = runtime()?;
    // A refusal from a device that took the code beats "could not connect" from the others.
    let mut refusal = None;
    let mut unreachable = None;
    for addr in addresses {
        match runtime.block_on(hugme_sync::net::invitation_by_code(addr, &code)) {
            Ok(invitation) => {
                let mut payload: Payload = serde_json::from_slice(&invitation).map_err(|e| {
                    Error::Identity(format!(
                        "{addr} sent an invitation that cannot be read: {e}"
                    ))
                })?;
                // The address that answered works from here; try it first.
                payload.hubs.retain(|h| h != addr);
                payload.hubs.insert(0, addr.clone());
                drop(runtime);
                let device = join_in(app, dir, &payload)?;
                return Ok((device, payload));
            }
            Err(e @ hugme_sync::Error::Enrolment(_)) => {
                refusal.get_or_insert(Error::Identity(e.to_string()));
            }
            Err(e) => {
                unreachable.get_or_insert(Error::Identity(format!(
                    "{addr} is not a teacher's device taking codes, or cannot be reached ({e})"
                )));
            }
        }
    }
    Err(refusal
        .or(unreachable)
        .unwrap_or_else(|| Error::Identity("no device answered".into())))
}

/// Joins a class with an enrolment payload: reaches the teacher's device at one of the
/// payload's addresses and obtains this device's certificate and the class document.
pub fn join(dir: &Path, payload: &Payload) -> Result<String> {
    join_in(&App::open(dir)?, dir, payload)
}

/// [`join`] on the open data folder `dir` of `app` (a tablet joining in the app).
pub fn join_in(app: &App, dir: &Path, payload: &Payload) -> Result<String> {
    if app.device().is_some() {
        return Err(Error::Identity(
            "this data folder already belongs to a class".into(),
        ));
    }
    if payload.expires_at < now_ms() {
        return Err(Error::Identity(
            "this enrolment code has expired: ask the teacher for a new one".into(),
        ));
    }
    let (key, request) = identity::request(&payload.device)?;
    let runtime = runtime()?;
    let mut last = Error::Identity("the enrolment code names no address".into());
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
                    return Err(Error::Identity(
                        "the teacher's device sent a certificate for another device".into(),
                    ));
                }
                let doc = AutoCommit::load(&class_document)
                    .map_err(|e| Error::Identity(format!("the class document is damaged: {e}")))?;
                hub::save_identity(dir, &credentials, None)?;
                app.store()
                    .create_document(&payload.class, DocumentKind::Class, doc)?;
                if !revocations.is_empty() {
                    hub::set_revocations(app.store(), &revocations)?;
                }
                app.set_device(&payload.device)?;
                app.store().set_meta(CLASS_KEY, &payload.class)?;
                // The way back to the teacher's device when multicast does not get through.
                crate::addresses::set_enrolment_hubs(app.store(), &payload.hubs)?;
                return Ok(payload.device.clone());
            }
            Ok(_) => last = Error::Identity(format!("{addr} answered something else")),
            Err(e) => last = Error::Identity(format!("{addr}: {e}")),
        }
    }
    Err(last)
}

/// Removes a device from the class: marks it revoked and issues a newer revocation list,
/// which every peer passes on and honours.
pub fn revoke(dir: &Path, device: &str) -> Result<u64> {
    revoke_in(&App::open(dir)?, dir, device)
}

/// [`revoke`] on the open data folder `dir` of `app` (the teacher's running app).
pub fn revoke_in(app: &App, dir: &Path, device: &str) -> Result<u64> {
    // One at a time (the end of the term removes devices from several sessions at once):
    // two lists with the same number would each leave out the other's device.
    static REVOKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = REVOKING.lock().unwrap_or_else(|p| p.into_inner());
    let creds = hub::load_identity(dir, app.store())?;
    let authority = hub::load_authority(dir, &creds)?.ok_or_else(|| {
        Error::Identity("only the teacher's device that created the class can revoke".into())
    })?;
    let (class_id, _) = own_class(app)?;
    let revoked = app.update_class(&class_id, |c| {
        let entry = c
            .devices
            .iter_mut()
            .find(|d| d.id.as_str() == device)
            .ok_or_else(|| Error::Identity(format!("no device {device} in this class")))?;
        entry.revoked = true;
        Ok(c.devices
            .iter()
            .filter(|d| d.revoked)
            .map(|d| d.id.to_string())
            .collect::<Vec<_>>())
    })?;
    let number = hub::revocations(app.store())?
        .and_then(|der| identity::verified_revocations(&der, &creds.authority))
        .unwrap_or(0)
        + 1;
    let list = authority.revocation_list(number, &revoked)?;
    hub::set_revocations(app.store(), &list)?;
    Ok(number)
}

/// The runtime for network commands.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Sync(hugme_sync::Error::Io(e)))
}
