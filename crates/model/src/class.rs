//! The class document: the roster, the enrolled devices and the settings.
//!
//! Only teacher devices write it. Pupils are known by first name or nickname only; a pupil
//! marked `protected_identity` is shown to other groups and in exports by group name only.

use autosurgeon::{Hydrate, Reconcile, Text};
use serde::{Deserialize, Serialize};

use crate::document::{Document, DocumentKind, SCHEMA_VERSION};
use crate::ids::{ClassId, DeviceId, GroupId, MemberId};

/// A class and everything about it that is not a group's work.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Class {
    pub schema: u64,
    pub id: ClassId,
    pub name: Text,
    pub groups: Vec<Group>,
    pub devices: Vec<Device>,
    pub settings: Settings,
    /// When the teacher ended the term (after exporting the class): every other device that
    /// learns of it deletes the class. Missing in documents written before it existed.
    #[autosurgeon(missing = "Option::default")]
    pub ended_at: Option<i64>,
}

/// A group of pupils sharing a tablet.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Group {
    #[key]
    pub id: GroupId,
    pub name: Text,
    /// A CSS colour for the group's card, e.g. `#e4572e`.
    pub colour: String,
    /// An emoji shown on the group's card.
    pub avatar: String,
    /// The hash of the PIN the teacher set, if any: an Argon2id PHC string
    /// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), never the digits (the class document is on
    /// every tablet). Made and checked by the app's facade (`hugme_app::pin`).
    pub pin_hash: Option<String>,
    pub members: Vec<Member>,
}

/// A pupil.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Member {
    #[key]
    pub id: MemberId,
    /// First name or nickname: never a full name.
    pub name: Text,
    pub protected_identity: bool,
}

impl Member {
    /// A new member.
    pub fn new(name: &str) -> Self {
        Self {
            id: MemberId::random(),
            name: Text::with_value(name),
            protected_identity: false,
        }
    }
}

/// What a device is to the class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceRole {
    Teacher,
    GroupTablet,
    Hub,
}

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Device {
    #[key]
    pub id: DeviceId,
    pub name: String,
    pub role: DeviceRole,
    /// The groups whose projects this device may write (a shared tablet serves several).
    pub groups: Vec<GroupId>,
    pub enrolled_at: i64,
    pub revoked: bool,
    /// When it was removed at the end of the term, holding the order to delete the class
    /// (as against removed for another reason, say lost). Missing in older documents.
    #[autosurgeon(missing = "Option::default")]
    pub left_at: Option<i64>,
    /// Once removed: its newest change to each document the teacher's device held when it
    /// removed it. That change and the device's changes beneath it stay (a lost tablet's work
    /// is the group's); any other change under its name is refused by every peer, signed or
    /// not.
    #[autosurgeon(missing = "Vec::new")]
    pub written_before_removal: Vec<Written>,
}

/// A device's newest change to a document: its sequence number (how many changes the device
/// had made there) and its Automerge change hash (64 hex digits), which names every earlier
/// change of the device beneath it.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Written {
    pub document: String,
    pub changes: u64,
    pub hash: String,
}

/// The languages a class may be taught in (BCP 47): Finnish, Swedish, English, Estonian,
/// Norwegian Bokmål.
pub const LANGUAGES: [&str; 5] = ["fi", "sv", "en", "et", "nb"];

/// Which of [`LANGUAGES`] a BCP 47 tag names, if any: its primary subtag (`sv-FI` → `sv`),
/// Norwegian of either form as Bokmål (`no`, `nn` → `nb`).
pub fn language_of(tag: &str) -> Option<&'static str> {
    let base = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    match base.as_str() {
        "no" | "nn" => Some("nb"),
        base => LANGUAGES.into_iter().find(|l| *l == base),
    }
}

/// Class-wide settings.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Settings {
    /// BCP 47 language of the class's tablets, one of [`LANGUAGES`] (`fi` by default): the
    /// app's language on a tablet until a pupil switches, and the exports' labels.
    pub language: String,
    /// Whether teacher feedback goes into exports by default.
    pub export_feedback: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: "fi".into(),
            export_feedback: false,
        }
    }
}

/// Colours for new groups' cards, chosen to keep white text readable (WCAG AA).
const GROUP_COLOURS: [&str; 8] = [
    "#b8336a", "#2f6690", "#3a7d44", "#8d5a97", "#c75000", "#1b6b73", "#6d597a", "#9e2a2b",
];
const GROUP_AVATARS: [&str; 8] = ["🦊", "🐻", "🦉", "🐸", "🐝", "🐬", "🦔", "🐢"];

impl Class {
    /// A new class with no groups.
    pub fn new(name: &str) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            id: ClassId::random(),
            name: Text::with_value(name),
            groups: Vec::new(),
            devices: Vec::new(),
            settings: Settings::default(),
            ended_at: None,
        }
    }

    /// Adds a group with the next colour and avatar, and returns its id.
    pub fn add_group(&mut self, name: &str) -> GroupId {
        let n = self.groups.len() % GROUP_COLOURS.len();
        let id = GroupId::random();
        self.groups.push(Group {
            id: id.clone(),
            name: Text::with_value(name),
            colour: GROUP_COLOURS[n].into(),
            avatar: GROUP_AVATARS[n].into(),
            pin_hash: None,
            members: Vec::new(),
        });
        id
    }

    /// A group by its name (as typed, ignoring case and surrounding spaces).
    pub fn group_named(&self, name: &str) -> Option<&Group> {
        let wanted = name.trim().to_lowercase();
        self.groups
            .iter()
            .find(|g| g.name.as_str().trim().to_lowercase() == wanted)
    }

    /// A group by id.
    pub fn group(&self, id: &GroupId) -> Option<&Group> {
        self.groups.iter().find(|g| &g.id == id)
    }

    /// A group by id, to change it.
    pub fn group_mut(&mut self, id: &GroupId) -> Option<&mut Group> {
        self.groups.iter_mut().find(|g| &g.id == id)
    }
}

impl Document for Class {
    const KIND: DocumentKind = DocumentKind::Class;
    fn schema(&self) -> u64 {
        self.schema
    }
}
