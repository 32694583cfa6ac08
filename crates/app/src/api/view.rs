//! What the student app shows: classes, groups and projects as plain values for the UI.
//!
//! The documents hold collaborative `Text`; the UI needs plain strings and, on the project
//! home, what is left to do in each step. These types are the app's whole read model; their
//! TypeScript twins are generated ([`super::bindings`]), never written by hand.

use hugme_model::{
    Approval, Block, BlockKind, Class, Group, MediaRef, Opened, Project, Review, Step, StepState,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A class on the start screen, with its groups' cards.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ClassCard {
    pub id: String,
    pub name: String,
    /// The class's language setting (`fi` or `en`): the app's language until a pupil switches.
    pub language: String,
    pub groups: Vec<GroupCard>,
}

/// A group's card: big, coloured, with an avatar.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GroupCard {
    pub id: String,
    pub name: String,
    pub colour: String,
    pub avatar: String,
    /// Whether the teacher set a PIN (the PIN itself never reaches the UI).
    pub has_pin: bool,
    pub members: Vec<MemberView>,
}

/// A pupil, by first name or nickname.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    /// Shown to other groups and in exports by the group's name only.
    pub protected_identity: bool,
}

/// A project in a list: the group's own projects, or other groups' for peer feedback.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProjectSummary {
    pub id: String,
    pub title: String,
    pub group_id: String,
    pub group_name: String,
    pub steps: Vec<StepView>,
}

/// One step of the journey: its state and what is left to do.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StepView {
    pub step: Step,
    pub state: StepState,
    pub todo: Vec<Todo>,
}

/// Something left to do in a step, as the project home lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Todo {
    AddRule,
    ChooseRoles,
    NamePhenomenon,
    SayWhy,
    AddSubject,
    AddGoal,
    AddQuestion,
    WriteFindings,
    AddTool,
    AddPage,
    AddContent,
    PlanPresentation,
    Reflect,
    GiveFeedback,
}

/// A whole project as the step editors show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProjectView {
    pub id: String,
    pub class_id: String,
    pub group_id: String,
    pub title: String,
    pub steps: Vec<StepView>,
    pub agreement: AgreementView,
    pub phenomenon: PhenomenonView,
    pub subjects: Vec<SubjectView>,
    pub goals: Vec<GoalView>,
    pub questions: Vec<QuestionView>,
    pub tools: Vec<ToolView>,
    pub pages: Vec<PageView>,
    pub sharing: SharingView,
    /// From the teacher's review: a locked project is shown read-only.
    pub locked: bool,
    pub approval: Approval,
    /// The group has asked the teacher for help.
    pub hand_raised: bool,
    /// Spoken answers to its text fields (`hugme_model::VoiceAnswer::field` names each).
    pub voice_answers: Vec<VoiceAnswerView>,
    /// The template the teacher gave the group: prompts for step 5, ideas for step 7.
    pub template: Option<AppliedTemplateView>,
}

/// What pupils see of the template their teacher gave them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppliedTemplateView {
    pub name: String,
    pub summary: String,
    pub prompts: Vec<String>,
    pub content_ideas: Vec<String>,
}

/// A spoken answer to one of a project's text fields.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct VoiceAnswerView {
    pub field: String,
    pub audio: MediaView,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AgreementView {
    pub roles: Vec<RoleView>,
    pub rules: Vec<ItemView>,
    pub check_ins: Vec<CheckInView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RoleView {
    pub member_id: String,
    pub role: String,
}

/// A list item that is one text (a rule, a source).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ItemView {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CheckInView {
    pub id: String,
    pub date: String,
    pub member_id: Option<String>,
    pub mood: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PhenomenonView {
    pub title: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SubjectView {
    pub id: String,
    pub name: String,
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct GoalView {
    pub id: String,
    pub text: String,
    pub set_by_teacher: bool,
    pub reached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct QuestionView {
    pub id: String,
    pub question: String,
    pub notes: String,
    pub sources: Vec<ItemView>,
    pub findings: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ToolView {
    pub id: String,
    pub name: String,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PageView {
    pub id: String,
    pub title: String,
    pub blocks: Vec<BlockView>,
}

/// A block on a page. Also sent back by the UI to restore a deleted block (undo).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BlockView {
    Text { id: String, text: String },
    Photo { id: String, media: MediaView },
    Drawing { id: String, media: MediaView },
    Audio { id: String, media: MediaView },
    Video { id: String, media: MediaView },
}

/// Media of a block: served to the WebView by hash (`media://localhost/<hash>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MediaView {
    pub hash: String,
    pub mime: String,
    #[ts(type = "number")]
    pub size: u64,
    #[ts(type = "number | null")]
    pub width: Option<u64>,
    #[ts(type = "number | null")]
    pub height: Option<u64>,
    pub caption: String,
    pub thumbnail: Option<String>,
    pub preview: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SharingView {
    pub presentation: String,
    pub learned: String,
    pub went_well: String,
    pub do_differently: String,
    #[ts(type = "number")]
    pub stars: u64,
    pub peer_feedback: Vec<PeerFeedbackView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PeerFeedbackView {
    pub id: String,
    pub about: String,
    pub text: String,
    #[ts(type = "number")]
    pub stars: u64,
}

impl ClassCard {
    pub fn of(class: &Class) -> Self {
        Self {
            id: class.id.to_string(),
            name: class.name.as_str().to_owned(),
            language: class.settings.language.clone(),
            groups: class.groups.iter().map(GroupCard::of).collect(),
        }
    }
}

impl GroupCard {
    pub fn of(group: &Group) -> Self {
        Self {
            id: group.id.to_string(),
            name: group.name.as_str().to_owned(),
            colour: group.colour.clone(),
            avatar: group.avatar.clone(),
            has_pin: group.pin_hash.as_deref().is_some_and(|p| !p.is_empty()),
            members: group
                .members
                .iter()
                .map(|m| MemberView {
                    id: m.id.to_string(),
                    name: m.name.as_str().to_owned(),
                    protected_identity: m.protected_identity,
                })
                .collect(),
        }
    }
}

impl ProjectSummary {
    pub fn of(project: &Project, group_name: &str) -> Self {
        Self {
            id: project.id.to_string(),
            title: project.title.as_str().to_owned(),
            group_id: project.group_id.to_string(),
            group_name: group_name.to_owned(),
            steps: steps_of(project),
        }
    }
}

/// Each step with its state and what is left, in journey order.
pub fn steps_of(p: &Project) -> Vec<StepView> {
    Step::ALL
        .into_iter()
        .map(|step| StepView {
            step,
            state: p.step_state(step),
            todo: todo_of(p, step),
        })
        .collect()
}

fn todo_of(p: &Project, step: Step) -> Vec<Todo> {
    let blank = |t: &hugme_model::Text| t.as_str().trim().is_empty();
    let mut todo = Vec::new();
    let mut need = |missing: bool, what: Todo| {
        if missing {
            todo.push(what);
        }
    };
    match step {
        Step::Agreement => {
            need(p.agreement.rules.is_empty(), Todo::AddRule);
            need(p.agreement.roles.is_empty(), Todo::ChooseRoles);
        }
        Step::Phenomenon => {
            need(blank(&p.phenomenon.title), Todo::NamePhenomenon);
            need(blank(&p.phenomenon.why), Todo::SayWhy);
        }
        Step::Subjects => need(p.subjects.items.is_empty(), Todo::AddSubject),
        Step::Goals => need(p.goals.items.is_empty(), Todo::AddGoal),
        Step::ResearchQuestions => {
            need(p.research.questions.is_empty(), Todo::AddQuestion);
            need(
                p.research.questions.iter().any(|q| blank(&q.findings)),
                Todo::WriteFindings,
            );
        }
        Step::Tools => need(p.tools.items.is_empty(), Todo::AddTool),
        Step::Content => {
            need(p.content.pages.is_empty(), Todo::AddPage);
            need(
                !p.content.pages.is_empty()
                    && p.content.pages.iter().all(|pg| pg.blocks.is_empty()),
                Todo::AddContent,
            );
        }
        Step::Sharing => {
            let r = &p.sharing.reflection;
            need(blank(&p.sharing.presentation), Todo::PlanPresentation);
            need(blank(&r.learned) && blank(&r.went_well), Todo::Reflect);
            need(p.sharing.peer_feedback.is_empty(), Todo::GiveFeedback);
        }
    }
    todo
}

impl ProjectView {
    pub fn of(opened: &Opened<Project>, review: Option<&Review>) -> Self {
        let p = &opened.value;
        let s = |t: &hugme_model::Text| t.as_str().to_owned();
        Self {
            id: p.id.to_string(),
            class_id: p.class_id.to_string(),
            group_id: p.group_id.to_string(),
            title: s(&p.title),
            steps: steps_of(p),
            agreement: AgreementView {
                roles: p
                    .agreement
                    .roles
                    .iter()
                    .map(|r| RoleView {
                        member_id: r.member_id.to_string(),
                        role: s(&r.role),
                    })
                    .collect(),
                rules: p
                    .agreement
                    .rules
                    .iter()
                    .map(|r| ItemView {
                        id: r.id.clone(),
                        text: s(&r.text),
                    })
                    .collect(),
                check_ins: p
                    .agreement
                    .check_ins
                    .iter()
                    .map(|c| CheckInView {
                        id: c.id.clone(),
                        date: c.date.clone(),
                        member_id: c.member_id.as_ref().map(ToString::to_string),
                        mood: c.mood.clone(),
                        note: s(&c.note),
                    })
                    .collect(),
            },
            phenomenon: PhenomenonView {
                title: s(&p.phenomenon.title),
                why: s(&p.phenomenon.why),
            },
            subjects: p
                .subjects
                .items
                .iter()
                .map(|x| SubjectView {
                    id: x.id.clone(),
                    name: x.name.clone(),
                    how: s(&x.how),
                })
                .collect(),
            goals: p
                .goals
                .items
                .iter()
                .map(|g| GoalView {
                    id: g.id.clone(),
                    text: s(&g.text),
                    set_by_teacher: g.set_by_teacher,
                    reached: g.reached,
                })
                .collect(),
            questions: p
                .research
                .questions
                .iter()
                .map(|q| QuestionView {
                    id: q.id.to_string(),
                    question: s(&q.question),
                    notes: s(&q.notes),
                    sources: q
                        .sources
                        .iter()
                        .map(|x| ItemView {
                            id: x.id.clone(),
                            text: s(&x.text),
                        })
                        .collect(),
                    findings: s(&q.findings),
                })
                .collect(),
            tools: p
                .tools
                .items
                .iter()
                .map(|t| ToolView {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    purpose: s(&t.purpose),
                })
                .collect(),
            pages: p
                .content
                .pages
                .iter()
                .map(|page| PageView {
                    id: page.id.to_string(),
                    title: s(&page.title),
                    blocks: page.blocks.iter().map(BlockView::of).collect(),
                })
                .collect(),
            sharing: SharingView {
                presentation: s(&p.sharing.presentation),
                learned: s(&p.sharing.reflection.learned),
                went_well: s(&p.sharing.reflection.went_well),
                do_differently: s(&p.sharing.reflection.do_differently),
                stars: p.sharing.reflection.stars,
                peer_feedback: p
                    .sharing
                    .peer_feedback
                    .iter()
                    .map(|f| PeerFeedbackView {
                        id: f.id.clone(),
                        about: f.about.to_string(),
                        text: s(&f.text),
                        stars: f.stars,
                    })
                    .collect(),
            },
            locked: review.is_some_and(|r| r.locked),
            approval: review.map_or(Approval::NotReviewed, |r| r.approval),
            hand_raised: p.hand_raised_at.is_some(),
            voice_answers: p
                .voice_answers_shown()
                .into_iter()
                .map(|v| VoiceAnswerView {
                    field: v.field.clone(),
                    audio: MediaView::of(&v.audio),
                })
                .collect(),
            template: p.template.as_ref().map(|t| AppliedTemplateView {
                name: t.name.clone(),
                summary: t.summary.clone(),
                prompts: t.prompts.clone(),
                content_ideas: t.content_ideas.clone(),
            }),
        }
    }
}

impl BlockView {
    pub fn of(block: &Block) -> Self {
        let id = block.id.to_string();
        match &block.kind {
            BlockKind::Text { body } => BlockView::Text {
                id,
                text: body.as_str().to_owned(),
            },
            BlockKind::Photo { media } => BlockView::Photo {
                id,
                media: MediaView::of(media),
            },
            BlockKind::Drawing { media } => BlockView::Drawing {
                id,
                media: MediaView::of(media),
            },
            BlockKind::Audio { media } => BlockView::Audio {
                id,
                media: MediaView::of(media),
            },
            BlockKind::Video { media } => BlockView::Video {
                id,
                media: MediaView::of(media),
            },
        }
    }

    /// The block id.
    pub fn id(&self) -> &str {
        match self {
            BlockView::Text { id, .. }
            | BlockView::Photo { id, .. }
            | BlockView::Drawing { id, .. }
            | BlockView::Audio { id, .. }
            | BlockView::Video { id, .. } => id,
        }
    }
}

impl MediaView {
    pub fn of(m: &MediaRef) -> Self {
        Self {
            hash: m.hash.clone(),
            mime: m.mime.clone(),
            size: m.size,
            width: m.width,
            height: m.height,
            caption: m.caption.as_str().to_owned(),
            thumbnail: m.thumbnail.clone(),
            preview: m.preview.clone(),
        }
    }

    /// Back to a document reference (restoring a deleted block).
    pub fn to_ref(&self) -> MediaRef {
        MediaRef {
            hash: self.hash.clone(),
            mime: self.mime.clone(),
            size: self.size,
            width: self.width,
            height: self.height,
            caption: hugme_model::Text::with_value(&self.caption),
            thumbnail: self.thumbnail.clone(),
            preview: self.preview.clone(),
        }
    }
}

/// What the app shows first, from how it was started.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Launch {
    /// Open this project's home straight away (a teacher's demo, the benchmarks).
    pub open_project: Option<String>,
    /// This is a teacher's device: it opens on the class overview.
    pub teacher: bool,
}

/// The formats of an export, as the app offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// IMS Common Cartridge 1.1: Moodle.
    Cc11,
    /// IMS Common Cartridge 1.3: Canvas, Brightspace, Blackboard, itslearning.
    Cc13,
    /// A zip of web pages that opens in any browser.
    Html,
    /// A Moodle course backup (`.mbz`): a section per group, named by it.
    MoodleBackup,
}

/// A finished export: where its file is, and what it could not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ExportDone {
    pub path: String,
    /// Photos, drawings, sound and video the pages use that had not reached this device:
    /// each such page says so; exporting again once they arrive puts them in.
    pub missing: Vec<MissingMediaView>,
}

/// A file left out of an export because this device does not hold it yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MissingMediaView {
    pub group: String,
    pub project: String,
    pub kind: MissingKind,
}

/// What kind of content block a missing file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum MissingKind {
    Photo,
    Drawing,
    Audio,
    Video,
}

impl ExportDone {
    pub fn of(path: &std::path::Path, summary: &hugme_export::Summary) -> Self {
        ExportDone {
            path: path.display().to_string(),
            missing: summary
                .missing
                .iter()
                .map(|m| MissingMediaView {
                    group: m.group.clone(),
                    project: m.project.clone(),
                    kind: match m.kind {
                        hugme_export::MediaKind::Photo => MissingKind::Photo,
                        hugme_export::MediaKind::Drawing => MissingKind::Drawing,
                        hugme_export::MediaKind::Audio => MissingKind::Audio,
                        hugme_export::MediaKind::Video => MissingKind::Video,
                    },
                })
                .collect(),
        }
    }
}

/// How far an export is, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ExportProgress {
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}
