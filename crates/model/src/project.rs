//! The project document: one per group, the eight Hug me! steps in order.
//!
//! Every step carries its own [`StepState`], set by the group (a step is "done" when the group
//! says so, not when a field is filled), so the journey on the project home shows what pupils
//! decided. Lists are keyed by id so that two tablets adding items at once both keep theirs.

use autosurgeon::{Hydrate, Reconcile, Text};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::Page;
use crate::document::{Document, DocumentKind, SCHEMA_VERSION};
use crate::ids::{ClassId, GroupId, MemberId, ProjectId, QuestionId};

/// How far a group is with one step.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize, TS,
)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    #[default]
    NotStarted,
    InProgress,
    Done,
}

/// The eight steps of a Hug me! project, in the order a group walks them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate, Serialize, Deserialize, TS,
)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    Agreement,
    Phenomenon,
    Subjects,
    Goals,
    ResearchQuestions,
    Tools,
    Content,
    Sharing,
}

impl Step {
    /// All steps in journey order.
    pub const ALL: [Step; 8] = [
        Step::Agreement,
        Step::Phenomenon,
        Step::Subjects,
        Step::Goals,
        Step::ResearchQuestions,
        Step::Tools,
        Step::Content,
        Step::Sharing,
    ];

    /// The stable name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Agreement => "agreement",
            Step::Phenomenon => "phenomenon",
            Step::Subjects => "subjects",
            Step::Goals => "goals",
            Step::ResearchQuestions => "research-questions",
            Step::Tools => "tools",
            Step::Content => "content",
            Step::Sharing => "sharing",
        }
    }
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Step {
    type Err = crate::document::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Step::ALL
            .into_iter()
            .find(|step| step.as_str() == s)
            .ok_or_else(|| crate::document::Error::UnknownStep(s.to_owned()))
    }
}

/// A group's project document.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Project {
    pub schema: u64,
    pub id: ProjectId,
    pub class_id: ClassId,
    pub group_id: GroupId,
    pub title: Text,
    /// Milliseconds since the Unix epoch, from the creating device's clock.
    pub created_at: i64,
    pub agreement: Agreement,
    pub phenomenon: Phenomenon,
    pub subjects: Subjects,
    pub goals: Goals,
    pub research: Research,
    pub tools: Tools,
    pub content: Content,
    pub sharing: Sharing,
    /// The group asked the teacher for help (ms since the epoch, by the tablet's clock);
    /// cleared when the teacher has come. Absent in documents written before hands existed.
    #[autosurgeon(missing = "Option::default")]
    pub hand_raised_at: Option<i64>,
    /// Spoken answers to the project's text fields (a pupil who cannot write yet speaks
    /// instead, or as well). Absent in documents written before voice answers existed.
    #[autosurgeon(missing = "Vec::new")]
    pub voice_answers: Vec<VoiceAnswer>,
    /// The template the teacher gave the group (what pupils see as prompts and ideas). Absent
    /// in documents written before templates existed.
    #[autosurgeon(missing = "Option::default")]
    pub template: Option<crate::template::AppliedTemplate>,
}

/// A spoken answer to one of a project's text fields: which field, and the recording.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct VoiceAnswer {
    /// The field answered ([`VoiceAnswer::FIELDS`]; a research question's fields are
    /// `question.<id>.question`, `.notes` and `.findings`; peer feedback `peer.<id>.text`).
    #[key]
    pub field: String,
    /// The recording (a sound: its hash, type and size, as a content page's).
    pub audio: crate::content::MediaRef,
    /// When it was recorded (ms since the Unix epoch, by the recording tablet's clock).
    pub recorded_at: i64,
}

impl Project {
    /// The spoken answers that stand: for each field, the newest recording (two tablets of a
    /// group may each record one offline), of a field the project has (a question or a
    /// feedback removed takes its answers with it), and a sound. What the review shows and
    /// exports carry; any other entry (a forged one) is ignored.
    pub fn voice_answers_shown(&self) -> Vec<&VoiceAnswer> {
        let exists = |field: &str| {
            let mut parts = field.split('.');
            match (parts.next(), parts.next()) {
                (Some("question"), Some(id)) => {
                    self.research.questions.iter().any(|q| q.id.as_str() == id)
                }
                (Some("peer"), Some(id)) => self.sharing.peer_feedback.iter().any(|f| f.id == id),
                _ => true,
            }
        };
        let mut newest: Vec<&VoiceAnswer> = Vec::new();
        for answer in &self.voice_answers {
            if !VoiceAnswer::is_field(&answer.field)
                || !exists(&answer.field)
                || !answer.audio.mime.starts_with("audio/")
            {
                continue;
            }
            match newest.iter_mut().find(|a| a.field == answer.field) {
                Some(kept) if kept.recorded_at < answer.recorded_at => *kept = answer,
                Some(_) => {}
                None => newest.push(answer),
            }
        }
        newest
    }
}

impl VoiceAnswer {
    /// The project's fields a voice answer may answer, besides research questions'.
    pub const FIELDS: [&'static str; 6] = [
        "phenomenon.title",
        "phenomenon.why",
        "sharing.presentation",
        "reflection.learned",
        "reflection.went_well",
        "reflection.do_differently",
    ];

    /// Whether `field` names a field of a project (a research question's by any id): what
    /// an edit may write.
    pub fn is_field(field: &str) -> bool {
        if Self::FIELDS.contains(&field) {
            return true;
        }
        let (parts, rest): (&[&str], _) = match field.split_once('.') {
            Some(("question", rest)) => (&["question", "notes", "findings"], rest),
            Some(("peer", rest)) => (&["text"], rest),
            _ => return false,
        };
        let Some((id, part)) = rest.rsplit_once('.') else {
            return false;
        };
        !id.is_empty() && id.len() <= 64 && !id.contains('.') && parts.contains(&part)
    }
}

/// Step 1: who does what, the rules the group agrees on, and how everyone feels today.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Agreement {
    pub state: StepState,
    pub roles: Vec<Role>,
    pub rules: Vec<Rule>,
    pub check_ins: Vec<CheckIn>,
}

/// A member's role in the group ("photographer", "kirjuri").
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Role {
    #[key]
    pub member_id: MemberId,
    pub role: Text,
}

/// One rule of the group agreement.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Rule {
    #[key]
    pub id: String,
    pub text: Text,
}

/// A socio-emotional check-in: a mood emoji and a few words, by one member on one day.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct CheckIn {
    #[key]
    pub id: String,
    /// ISO date, `YYYY-MM-DD`.
    pub date: String,
    pub member_id: Option<MemberId>,
    pub mood: String,
    pub note: Text,
}

/// Step 2: the real-world phenomenon and why the group chose it.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Phenomenon {
    pub state: StepState,
    pub title: Text,
    pub why: Text,
}

/// Step 3: the school subjects the phenomenon touches.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Subjects {
    pub state: StepState,
    pub items: Vec<Subject>,
}

/// A school subject and how the project touches it.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Subject {
    #[key]
    pub id: String,
    pub name: String,
    pub how: Text,
}

/// Step 4: goals, set by the group or the teacher.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Goals {
    pub state: StepState,
    pub items: Vec<Goal>,
}

/// One goal.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Goal {
    #[key]
    pub id: String,
    pub text: Text,
    pub set_by_teacher: bool,
    pub reached: bool,
}

/// Step 5: research questions.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Research {
    pub state: StepState,
    pub questions: Vec<ResearchQuestion>,
}

/// A research question with what the group found out about it.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ResearchQuestion {
    #[key]
    pub id: QuestionId,
    pub question: Text,
    pub notes: Text,
    pub sources: Vec<Source>,
    pub findings: Text,
}

impl ResearchQuestion {
    /// A new question with empty notes, sources and findings.
    pub fn new(question: &str) -> Self {
        Self {
            id: QuestionId::random(),
            question: Text::with_value(question),
            notes: Text::with_value(""),
            sources: Vec::new(),
            findings: Text::with_value(""),
        }
    }
}

/// Where an answer came from (a book, a web page, an interview).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Source {
    #[key]
    pub id: String,
    pub text: Text,
}

/// Step 6: the tools the group uses.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Tools {
    pub state: StepState,
    pub items: Vec<Tool>,
}

/// An app or platform and what the group uses it for.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Tool {
    #[key]
    pub id: String,
    pub name: String,
    pub purpose: Text,
}

/// Step 7: the group's pages.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Content {
    pub state: StepState,
    pub pages: Vec<Page>,
}

/// Step 8: sharing the work and reflecting on it.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Sharing {
    pub state: StepState,
    /// How and to whom the group presents its work.
    pub presentation: Text,
    pub reflection: Reflection,
    /// Feedback this group gives to other groups' projects (kept here so that a group only
    /// ever writes its own document).
    pub peer_feedback: Vec<PeerFeedback>,
}

/// Self-assessment: what we learned, what went well, what we would do differently.
#[derive(Debug, Clone, PartialEq, Default, Reconcile, Hydrate)]
pub struct Reflection {
    pub learned: Text,
    pub went_well: Text,
    pub do_differently: Text,
    /// 0 (not given) to 5 stars.
    pub stars: u64,
}

/// Feedback for another group's project.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct PeerFeedback {
    #[key]
    pub id: String,
    pub about: ProjectId,
    pub text: Text,
    pub stars: u64,
}

fn empty() -> Text {
    Text::with_value("")
}

impl Project {
    /// A new, empty project for a group.
    pub fn new(class_id: ClassId, group_id: GroupId, title: &str, created_at: i64) -> Self {
        Self {
            schema: SCHEMA_VERSION,
            id: ProjectId::random(),
            class_id,
            group_id,
            title: Text::with_value(title),
            created_at,
            agreement: Agreement::default(),
            phenomenon: Phenomenon {
                state: StepState::NotStarted,
                title: empty(),
                why: empty(),
            },
            subjects: Subjects::default(),
            goals: Goals::default(),
            research: Research::default(),
            tools: Tools::default(),
            content: Content::default(),
            sharing: Sharing {
                presentation: empty(),
                reflection: Reflection {
                    learned: empty(),
                    went_well: empty(),
                    do_differently: empty(),
                    stars: 0,
                },
                ..Sharing::default()
            },
            hand_raised_at: None,
            voice_answers: Vec::new(),
            template: None,
        }
    }

    /// The state of one step.
    pub fn step_state(&self, step: Step) -> StepState {
        *self.state_slot(step)
    }

    /// Sets the state of one step.
    pub fn set_step_state(&mut self, step: Step, state: StepState) {
        *self.state_slot_mut(step) = state;
    }

    /// Marks a step in progress unless it was already started: typing into a step starts it.
    pub fn touch(&mut self, step: Step) {
        let slot = self.state_slot_mut(step);
        if *slot == StepState::NotStarted {
            *slot = StepState::InProgress;
        }
    }

    fn state_slot(&self, step: Step) -> &StepState {
        match step {
            Step::Agreement => &self.agreement.state,
            Step::Phenomenon => &self.phenomenon.state,
            Step::Subjects => &self.subjects.state,
            Step::Goals => &self.goals.state,
            Step::ResearchQuestions => &self.research.state,
            Step::Tools => &self.tools.state,
            Step::Content => &self.content.state,
            Step::Sharing => &self.sharing.state,
        }
    }

    fn state_slot_mut(&mut self, step: Step) -> &mut StepState {
        match step {
            Step::Agreement => &mut self.agreement.state,
            Step::Phenomenon => &mut self.phenomenon.state,
            Step::Subjects => &mut self.subjects.state,
            Step::Goals => &mut self.goals.state,
            Step::ResearchQuestions => &mut self.research.state,
            Step::Tools => &mut self.tools.state,
            Step::Content => &mut self.content.state,
            Step::Sharing => &mut self.sharing.state,
        }
    }

    /// A research question by id.
    pub fn question_mut(&mut self, id: &QuestionId) -> Option<&mut ResearchQuestion> {
        self.research.questions.iter_mut().find(|q| &q.id == id)
    }
}

impl Document for Project {
    const KIND: DocumentKind = DocumentKind::Project;
    fn schema(&self) -> u64 {
        self.schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::MediaRef;

    fn answer(field: &str, mime: &str, at: i64) -> VoiceAnswer {
        VoiceAnswer {
            field: field.into(),
            audio: MediaRef {
                hash: format!("{at:064x}"),
                mime: mime.into(),
                size: 1,
                width: None,
                height: None,
                caption: Text::default(),
                thumbnail: None,
                preview: None,
            },
            recorded_at: at,
        }
    }

    #[test]
    fn the_newest_answer_of_each_real_field_stands_and_nothing_else() {
        let mut p = Project::new(ClassId::from("c"), GroupId::from("g"), "P", 0);
        p.research.questions.push(ResearchQuestion::new("Miksi?"));
        let q = p.research.questions[0].id.as_str().to_owned();
        p.voice_answers = vec![
            // Two tablets recorded offline: the newer stands, wherever it is in the list.
            answer("phenomenon.title", "audio/mp4", 5),
            answer("phenomenon.title", "audio/webm", 9),
            answer(&format!("question.{q}.notes"), "audio/wav", 3),
            // A removed question's, a field no project has, a picture: none stands.
            answer("question.gone.notes", "audio/wav", 4),
            answer("class.name", "audio/wav", 6),
            answer("phenomenon.why", "image/jpeg", 7),
        ];
        let shown: Vec<(&str, i64)> = p
            .voice_answers_shown()
            .iter()
            .map(|a| (a.field.as_str(), a.recorded_at))
            .collect();
        assert_eq!(
            shown,
            [
                ("phenomenon.title", 9),
                (format!("question.{q}.notes").as_str(), 3)
            ]
        );
        assert!(VoiceAnswer::is_field("peer.f1.text"));
        assert!(!VoiceAnswer::is_field("peer.f1.notes"));
        assert!(!VoiceAnswer::is_field("question..notes"));
        assert!(!VoiceAnswer::is_field("question.a.b.notes"));
    }
}
