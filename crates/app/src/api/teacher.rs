//! What the teacher's screens receive (the overview, feedback, the devices list) and send
//! (review and class edits).

use hugme_model::{Approval, Step, StepState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::view::GroupCard;

/// Every group of a class at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DashboardView {
    pub class_id: String,
    pub class_name: String,
    /// The class's language setting (`hugme_model::class::LANGUAGES`).
    pub language: String,
    pub groups: Vec<GroupOverview>,
    pub devices: Vec<DeviceView>,
    /// When the teacher ended the term (the devices delete the class as they sync).
    pub ended_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GroupOverview {
    pub group: GroupCard,
    pub projects: Vec<ProjectOverview>,
    /// Ids of the group's projects that cannot be read (a damaged document): shown as such,
    /// while the rest of the overview works.
    pub unreadable: Vec<String>,
}

/// One project on the overview.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProjectOverview {
    pub id: String,
    pub title: String,
    /// The group's phenomenon (step 2), as it stands.
    pub phenomenon: String,
    /// The name of the template the teacher gave it, if any.
    pub template: Option<String>,
    /// The eight steps' states, in order.
    pub steps: Vec<StepState>,
    /// Thumbnails (hashes) of the newest pictures, newest first.
    pub newest: Vec<String>,
    pub hand_raised: bool,
    /// Today's check-in moods (emoji), in the order given.
    pub moods_today: Vec<String>,
    /// When it last changed (ms since the epoch).
    pub last_change: Option<i64>,
    pub approval: Approval,
    pub locked: bool,
    /// Comments the group has not seen resolved yet.
    pub open_comments: u32,
}

/// A device of the class, as the teacher's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DeviceView {
    pub id: String,
    pub name: String,
    pub role: String,
    /// The groups it serves, by name.
    pub groups: Vec<String>,
    pub revoked: bool,
    /// Removed at the end of the term, having deleted the class (ms since the epoch).
    pub left_at: Option<i64>,
}

/// Where a comment is pinned, as the UI says it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "to", rename_all = "kebab-case")]
pub enum PinView {
    Step { step: Step },
    Question { id: String },
    Block { id: String },
}

/// One thing the teacher does to a project's review.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum ReviewEdit {
    SetOverall {
        text: String,
    },
    SetApproval {
        approval: Approval,
    },
    SetLocked {
        locked: bool,
    },
    /// A new comment; its id is chosen by the UI, so a retry adds nothing twice.
    AddComment {
        id: String,
        pin: PinView,
        text: String,
    },
    ResolveComment {
        id: String,
    },
    /// The teacher has come to the group.
    LowerHand,
}

/// One change the teacher makes to the class: its groups and pupils. New items carry ids
/// chosen by the UI, so a retried edit adds nothing twice.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum ClassEdit {
    /// The class's language (one of `hugme_model::class::LANGUAGES`): the tablets' language
    /// until a pupil switches, and the exports'.
    SetLanguage {
        language: String,
    },
    AddGroup {
        id: String,
        name: String,
    },
    RenameGroup {
        id: String,
        name: String,
    },
    /// Digits only; empty or null: no PIN.
    SetPin {
        group: String,
        pin: Option<String>,
    },
    /// `protected`: the pupil's identity is protected from the start, so the name is never
    /// written to the class document that every tablet holds (missing: false).
    AddMember {
        group: String,
        id: String,
        name: String,
        #[serde(default)]
        #[ts(optional)]
        protected: Option<bool>,
    },
    RenameMember {
        group: String,
        id: String,
        name: String,
    },
    /// Hidden from other groups and from exports (shown by the group's name only).
    SetProtected {
        group: String,
        id: String,
        protected: bool,
    },
    RemoveMember {
        group: String,
        id: String,
    },
}

/// A comment as the group and the teacher see it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CommentView {
    pub id: String,
    pub pin: PinView,
    pub text: String,
    pub created_at: i64,
    pub resolved: bool,
}

/// The teacher's feedback on a project.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FeedbackView {
    pub overall: String,
    pub approval: Approval,
    pub locked: bool,
    pub comments: Vec<CommentView>,
}
