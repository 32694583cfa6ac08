//! Who may write what, checked by every receiving peer on every change before it is applied.
//!
//! A change's author is its Automerge actor id, which the app sets to the bytes of its device
//! id ([`actor_for`]). The class document lists the enrolled devices with their role and groups
//! (the [`Roster`]); it is written by teachers only, so a pupil cannot enrol itself into a role.
//! A project is written by its group's devices and by teachers; class, review and identities
//! documents by teachers only.
//!
//! Reading is open within the class but for one kind: a group's identities document (the names
//! of its pupils of protected identity) goes only to teachers' devices, hubs and that group's
//! own tablets ([`may_read`]); every sender checks before it offers or sends one, and a device
//! that may not hold one refuses it. An author the roster does not know yet (enrolled after this peer last heard
//! of the class) is [`Verdict::Unknown`]: the session holds such changes back until the class
//! document has caught up, rather than refusing what will be allowed a moment later.
//!
//! Actor ids alone are not proof: any writer can choose one. Before a change reaches this
//! check, [`crate::authorship`] has made sure its actor signed it, and that the roster's role
//! for the actor is the one its certificate names.

use std::collections::HashMap;

use automerge::{sync, ActorId, AutoCommit, Automerge, Change};
use hugme_model::{Class, Device, DeviceRole, DocumentKind, GroupId};

/// The actor id a device writes with.
pub fn actor_for(device: &str) -> ActorId {
    ActorId::from(device.as_bytes())
}

/// The device that wrote with `actor`.
pub fn device_of(actor: &ActorId) -> String {
    String::from_utf8_lossy(actor.to_bytes()).into_owned()
}

/// The enrolled devices of a class, from its class document.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    devices: HashMap<String, Device>,
}

impl Roster {
    /// The roster in a class document (empty if the document cannot be read).
    pub fn of_class(doc: &AutoCommit) -> Roster {
        let devices = hugme_model::read::<Class>(doc)
            .map(|opened| opened.value.devices)
            .unwrap_or_default();
        Roster {
            devices: devices
                .into_iter()
                .map(|d| (d.id.as_str().to_owned(), d))
                .collect(),
        }
    }

    pub fn device(&self, id: &str) -> Option<&Device> {
        self.devices.get(id)
    }
}

/// Whether a set of changes may be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// An author the roster does not know (yet).
    Unknown {
        device: String,
    },
    /// An author who may not write this document.
    Forbidden {
        device: String,
        why: String,
    },
}

/// Whether `device` may write a document of `kind` (of group `group`, for a project).
pub fn may_write(
    roster: &Roster,
    device: &str,
    kind: DocumentKind,
    group: Option<&GroupId>,
) -> Verdict {
    let Some(entry) = roster.device(device) else {
        return Verdict::Unknown {
            device: device.into(),
        };
    };
    let forbidden = |why: &str| Verdict::Forbidden {
        device: device.into(),
        why: why.into(),
    };
    match (entry.role, kind) {
        (DeviceRole::Teacher, _) => Verdict::Allowed,
        (DeviceRole::Hub, _) => forbidden("a hub passes changes on but writes none of its own"),
        (DeviceRole::GroupTablet, DocumentKind::Project) => match group {
            Some(g) if entry.groups.contains(g) => Verdict::Allowed,
            Some(_) => forbidden("a group's tablet may write only its own group's projects"),
            None => forbidden("the project names no group"),
        },
        (DeviceRole::GroupTablet, DocumentKind::Class) => {
            forbidden("only a teacher may change the class")
        }
        (DeviceRole::GroupTablet, DocumentKind::Review) => {
            forbidden("only a teacher may write feedback and approval")
        }
        (DeviceRole::GroupTablet, DocumentKind::Identities) => {
            forbidden("only a teacher may write pupils' protected names")
        }
    }
}

/// Whether document `id` is one that only some devices may hold: a group's identities
/// document, known by its id (`identities-…`, which no other kind may take) or by the kind it
/// is announced as. A peer cannot make one look like another kind.
pub fn restricted(id: &str, kind: Option<DocumentKind>) -> bool {
    kind == Some(DocumentKind::Identities) || hugme_model::Identities::group_of_id(id).is_some()
}

/// Whether `device` may hold document `id` (announced as `kind`): every enrolled device may
/// hold every document of its class but another group's identities document ([`restricted`]),
/// which only teachers' devices, hubs (which pass it on to the group) and the group's own
/// tablets may. A device the roster does not know (yet), or knows as removed, may hold none of
/// those.
pub fn may_read(roster: &Roster, device: &str, id: &str, kind: Option<DocumentKind>) -> bool {
    if !restricted(id, kind) {
        return true;
    }
    let Some(entry) = roster.device(device).filter(|d| !d.revoked) else {
        return false;
    };
    match entry.role {
        DeviceRole::Teacher | DeviceRole::Hub => true,
        DeviceRole::GroupTablet => hugme_model::Identities::group_of_id(id)
            .is_some_and(|group| entry.groups.contains(&group)),
    }
}

/// Every change a sync message carries. `Err` if a chunk is not readable.
pub fn changes_of(message: &sync::Message) -> Result<Vec<Change>, String> {
    let mut out = Vec::new();
    for joined in message.changes.iter() {
        // A message's chunk may be several storage chunks back to back (Automerge joins them
        // and loads them incrementally): each is judged on its own.
        for chunk in crate::inflate::storage_chunks(joined)? {
            // Parsed only as what its type byte says it is: a chunk that fails as a change is
            // not tried again as something else (each of Automerge's parsers is one more
            // way for a malformed chunk to go wrong).
            match chunk.get(8) {
                Some(1 | 2) => {
                    out.push(Change::from_bytes(chunk.to_vec()).map_err(|e| e.to_string())?);
                }
                // A bundle of changes (V2 messages).
                Some(3) => {
                    let bundle = automerge::Bundle::try_from(chunk).map_err(|e| e.to_string())?;
                    out.extend(bundle.to_changes().map_err(|e| e.to_string())?);
                }
                // A whole saved document (what Automerge sends a peer that has none of it).
                Some(0) => {
                    let doc = Automerge::load(chunk).map_err(|e| e.to_string())?;
                    out.extend(doc.get_changes(&[]));
                }
                _ => return Err("not a change, bundle or document chunk".into()),
            }
        }
    }
    Ok(out)
}

/// The roster after the teacher-written changes of a class-document message: a teacher
/// enrolling a second teacher in the same message admits that teacher's changes too. Only
/// changes by authors already allowed are applied to find it, round after round, so no author
/// can admit itself.
fn grown_roster(current: Option<&AutoCommit>, changes: &[Change], roster: &Roster) -> Roster {
    let mut scratch = current.cloned().unwrap_or_default();
    let mut roster = roster.clone();
    let mut applied = std::collections::HashSet::new();
    loop {
        let admissible: Vec<Change> = changes
            .iter()
            .filter(|c| !applied.contains(&c.hash()))
            .filter(|c| {
                may_write(&roster, &device_of(c.actor_id()), DocumentKind::Class, None)
                    == Verdict::Allowed
            })
            .cloned()
            .collect();
        if admissible.is_empty() {
            return roster;
        }
        applied.extend(admissible.iter().map(|c| c.hash()));
        if scratch.apply_changes(admissible).is_err() {
            return roster;
        }
        roster = Roster::of_class(&scratch);
    }
}

/// The group a project document belongs to, if it says.
pub fn group_of(doc: &AutoCommit) -> Option<GroupId> {
    hugme_model::document::root_string(doc, "group_id").map(|g| GroupId::from(g.as_str()))
}

/// Every change of a sync message ([`changes_of`]), with Automerge's own parsers' panics on
/// some malformed chunks (the `sync_message` fuzz target found one in a bundle chunk) taken
/// as unreadable changes.
pub fn parse(message: &sync::Message) -> Result<Vec<Change>, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| changes_of(message)))
        .unwrap_or_else(|_| Err("Automerge could not parse them".into()))
}

/// Judges the changes of one sync message for one document by their authors' roles.
/// `current` is the document as held (the class document's roster grows with the message's
/// teacher-written changes); `group` is a project's group as it was before the message (or,
/// for a new project, as the message makes it).
pub fn judge(
    roster: &Roster,
    kind: DocumentKind,
    current: Option<&AutoCommit>,
    changes: &[Change],
    group: Option<&GroupId>,
) -> Verdict {
    if changes.is_empty() {
        return Verdict::Allowed;
    }
    let grown;
    let roster = if kind == DocumentKind::Class {
        grown = grown_roster(current, changes, roster);
        &grown
    } else {
        roster
    };
    let mut authors: Vec<&ActorId> = changes.iter().map(|c| c.actor_id()).collect();
    authors.sort();
    authors.dedup();
    let mut unknown = None;
    for actor in authors {
        match may_write(roster, &device_of(actor), kind, group) {
            Verdict::Allowed => {}
            forbidden @ Verdict::Forbidden { .. } => return forbidden,
            unknown_author @ Verdict::Unknown { .. } => unknown = Some(unknown_author),
        }
    }
    unknown.unwrap_or(Verdict::Allowed)
}

/// The name of a role as the CA writes it into a certificate (OU).
pub fn role_name(role: DeviceRole) -> &'static str {
    match role {
        DeviceRole::Teacher => "teacher",
        DeviceRole::GroupTablet => "group-tablet",
        DeviceRole::Hub => "hub",
    }
}

#[cfg(test)]
mod tests {
    use hugme_model::DeviceId;

    use super::*;

    fn device(id: &str, role: DeviceRole, groups: &[&str]) -> Device {
        Device {
            id: DeviceId::from(id),
            name: id.into(),
            role,
            groups: groups.iter().map(|g| GroupId::from(*g)).collect(),
            enrolled_at: 0,
            revoked: false,
            left_at: None,
            written_before_removal: Vec::new(),
        }
    }

    fn roster() -> Roster {
        let devices = [
            device("ope", DeviceRole::Teacher, &[]),
            device("kettu-tab", DeviceRole::GroupTablet, &["kettu"]),
            device("hub", DeviceRole::Hub, &[]),
        ];
        Roster {
            devices: devices
                .into_iter()
                .map(|d| (d.id.as_str().to_owned(), d))
                .collect(),
        }
    }

    #[test]
    fn a_chunk_that_makes_automerge_panic_is_unreadable() {
        // Found by the `sync_message` fuzz target: a bundle chunk that Automerge 0.12's
        // column decoder (hexane) unwraps into a panic.
        let bytes = [
            66u8, 0, 0, 0, 1, 33, 133, 111, 74, 131, 0, 66, 0, 0, 3, 23, 0, 0, 1, 3, 1, 1, 1, 35,
            1, 36, 1, 0, 0, 0, 1, 1, 1, 0, 0, 3, 74, 131, 1, 0,
        ];
        let message = sync::Message::decode(&bytes).unwrap();
        assert!(parse(&message).is_err());
    }

    #[test]
    fn a_chunk_is_parsed_only_as_its_type_says() {
        // Found by the `sync_message` fuzz target: a change chunk that Automerge cannot read
        // as a change, and that, loaded as a whole document instead, took it past 2 GB.
        let bytes = include_bytes!("../fuzz/regressions/sync_message-change-reparsed-oom");
        let message = sync::Message::decode(bytes).unwrap();
        assert!(changes_of(&message).is_err());
        assert!(parse(&message).is_err());
    }

    #[test]
    fn the_write_policy_of_the_design() {
        let r = roster();
        let kettu = GroupId::from("kettu");
        let saukot = GroupId::from("saukot");
        use DocumentKind::*;
        assert_eq!(may_write(&r, "ope", Class, None), Verdict::Allowed);
        assert_eq!(
            may_write(&r, "ope", Project, Some(&saukot)),
            Verdict::Allowed
        );
        assert_eq!(
            may_write(&r, "kettu-tab", Project, Some(&kettu)),
            Verdict::Allowed
        );
        for (kind, group) in [
            (Project, Some(&saukot)),
            (Class, None),
            (Review, None),
            (Identities, None),
        ] {
            assert!(matches!(
                may_write(&r, "kettu-tab", kind, group),
                Verdict::Forbidden { .. }
            ));
        }
        assert!(matches!(
            may_write(&r, "hub", Project, Some(&kettu)),
            Verdict::Forbidden { .. }
        ));
        assert!(matches!(
            may_write(&r, "stranger", Project, Some(&kettu)),
            Verdict::Unknown { .. }
        ));
    }

    #[test]
    fn another_groups_protected_names_go_to_teachers_hubs_and_that_group_only() {
        let r = roster();
        use DocumentKind::*;
        for device in ["ope", "hub", "kettu-tab"] {
            assert!(
                may_read(&r, device, "identities-kettu", Some(Identities)),
                "{device}"
            );
        }
        assert!(!may_read(
            &r,
            "kettu-tab",
            "identities-saukot",
            Some(Identities)
        ));
        assert!(!may_read(&r, "kettu-tab", "identities-", Some(Identities)));
        assert!(!may_read(
            &r,
            "stranger",
            "identities-kettu",
            Some(Identities)
        ));
        // Announced as another kind, judged by its id all the same.
        assert!(!may_read(
            &r,
            "kettu-tab",
            "identities-saukot",
            Some(Project)
        ));
        // Every other kind is the class's.
        assert!(may_read(&r, "kettu-tab", "p-of-saukot", Some(Project)));
        assert!(may_read(&r, "kettu-tab", "5b", Some(Class)));
    }

    #[test]
    fn a_device_id_survives_the_round_trip_through_an_actor_id() {
        let id = "0b6c2d3e-7f00-4a1b-9c2d-3e4f5a6b7c8d";
        assert_eq!(device_of(&actor_for(id)), id);
    }
}
