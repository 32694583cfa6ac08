//! What a pupil can do to a project, as one value per action: the app sends an [`Edit`],
//! the facade applies it in one durable change.
//!
//! New items carry an id chosen by the UI, so the UI can show and focus an item before the
//! change comes back, and a repeated edit (a retried call) adds nothing twice. Text is set
//! as the field's whole new value with the value it was typed on, and stored as a diff
//! ([`Text::update`]); what peers wrote into the same text meanwhile is kept (a three-way
//! merge, [`crate::merge`]), so two tablets typing into the same answer keep both.

use hugme_model::{
    Block, BlockId, BlockKind, CheckIn, Goal, MemberId, Page, PageId, PeerFeedback, Project,
    ProjectId, QuestionId, ResearchQuestion, Role, Rule, Source, Step, StepState, Subject, Text,
    Tool,
};
use serde::Deserialize;
use ts_rs::TS;

use super::view::BlockView;
use crate::error::{Error, Result};

/// One action on a project.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Edit {
    /// Sets a text field to this whole value, typed on `base` (what the field showed): if
    /// the stored text changed meanwhile (a peer's words came in), only the changes from
    /// `base` to `text` are applied to it ([`crate::merge::three_way`]). Without a base the
    /// value replaces the stored text (as a diff).
    SetText {
        field: TextField,
        text: String,
        #[serde(default)]
        #[ts(optional)]
        base: Option<String>,
    },
    SetStepState {
        step: Step,
        state: StepState,
    },
    AddRule {
        id: String,
    },
    AddCheckIn {
        id: String,
        date: String,
        member_id: Option<String>,
        mood: String,
    },
    AddSubject {
        id: String,
        name: String,
    },
    AddGoal {
        id: String,
    },
    SetGoalReached {
        id: String,
        reached: bool,
    },
    AddQuestion {
        id: String,
    },
    AddSource {
        question_id: String,
        id: String,
    },
    AddTool {
        id: String,
        name: String,
    },
    AddPage {
        id: String,
    },
    AddTextBlock {
        page_id: String,
        id: String,
    },
    MoveBlock {
        page_id: String,
        id: String,
        to: u32,
    },
    RemoveBlock {
        page_id: String,
        id: String,
    },
    /// Puts a deleted block back where it was (undo).
    RestoreBlock {
        page_id: String,
        index: u32,
        block: BlockView,
    },
    SetStars {
        stars: u32,
    },
    AddPeerFeedback {
        id: String,
        about: String,
    },
    SetPeerStars {
        id: String,
        stars: u32,
    },
    /// The group asks the teacher for help (`at`: now, by the tablet's clock), or takes the
    /// question back (`null`).
    RaiseHand {
        at: Option<i64>,
    },
    /// Removes the spoken answer to a field (`App::add_voice_answer` adds one).
    RemoveVoiceAnswer {
        field: String,
    },
    /// Removes an item from one of the project's lists.
    Remove {
        list: List,
        id: String,
    },
}

/// A text field of a project.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "field", rename_all = "kebab-case")]
pub enum TextField {
    Title,
    PhenomenonTitle,
    PhenomenonWhy,
    Presentation,
    Learned,
    WentWell,
    DoDifferently,
    Rule {
        id: String,
    },
    /// A member's role; set for the first time, it adds the role.
    Role {
        member_id: String,
    },
    CheckInNote {
        id: String,
    },
    SubjectHow {
        id: String,
    },
    Goal {
        id: String,
    },
    Question {
        id: String,
    },
    QuestionNotes {
        id: String,
    },
    QuestionFindings {
        id: String,
    },
    Source {
        question_id: String,
        id: String,
    },
    ToolPurpose {
        id: String,
    },
    PageTitle {
        id: String,
    },
    BlockText {
        page_id: String,
        id: String,
    },
    Caption {
        page_id: String,
        id: String,
    },
    PeerFeedback {
        id: String,
    },
}

/// A list items can be removed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum List {
    Rules,
    CheckIns,
    Subjects,
    Goals,
    Questions,
    Tools,
    Pages,
    PeerFeedback,
    /// Sources of every question (source ids are unique in a project).
    Sources,
}

impl Edit {
    /// Applies the edit. Working on a step marks it in progress.
    pub fn apply(&self, p: &mut Project) -> Result<()> {
        match self {
            Edit::SetText { field, text, base } => {
                let step = field.step();
                let stored = text_mut(p, field)?;
                // Already so: nothing to merge twice. (An edit with a base applied twice could
                // insert twice; the app's queue sends each edit once, in order.)
                let already = stored.as_str() == text.as_str();
                match base
                    .as_deref()
                    .filter(|b| *b != stored.as_str() && !already)
                {
                    Some(base) => {
                        let merged = crate::merge::three_way(base, stored.as_str(), text);
                        stored.update(merged);
                    }
                    None => stored.update(text),
                }
                if let Some(step) = step {
                    p.touch(step);
                }
            }
            Edit::SetStepState { step, state } => p.set_step_state(*step, *state),
            Edit::AddRule { id } => {
                add(
                    &mut p.agreement.rules,
                    id,
                    |r| &r.id,
                    || Rule {
                        id: id.clone(),
                        text: empty(),
                    },
                );
                p.touch(Step::Agreement);
            }
            Edit::AddCheckIn {
                id,
                date,
                member_id,
                mood,
            } => {
                add(
                    &mut p.agreement.check_ins,
                    id,
                    |c| &c.id,
                    || CheckIn {
                        id: id.clone(),
                        date: date.clone(),
                        member_id: member_id.as_deref().map(MemberId::from),
                        mood: mood.clone(),
                        note: empty(),
                    },
                );
            }
            Edit::RaiseHand { at } => p.hand_raised_at = *at,
            Edit::RemoveVoiceAnswer { field } => p.voice_answers.retain(|v| &v.field != field),
            Edit::AddSubject { id, name } => {
                add(
                    &mut p.subjects.items,
                    id,
                    |s| &s.id,
                    || Subject {
                        id: id.clone(),
                        name: name.clone(),
                        how: empty(),
                    },
                );
                p.touch(Step::Subjects);
            }
            Edit::AddGoal { id } => {
                add(
                    &mut p.goals.items,
                    id,
                    |g| &g.id,
                    || Goal {
                        id: id.clone(),
                        text: empty(),
                        set_by_teacher: false,
                        reached: false,
                    },
                );
                p.touch(Step::Goals);
            }
            Edit::SetGoalReached { id, reached } => {
                find_mut(&mut p.goals.items, id, |g| &g.id)?.reached = *reached;
            }
            Edit::AddQuestion { id } => {
                let qid = QuestionId::from(id.as_str());
                if !p.research.questions.iter().any(|q| q.id == qid) {
                    let mut q = ResearchQuestion::new("");
                    q.id = qid;
                    p.research.questions.push(q);
                }
                p.touch(Step::ResearchQuestions);
            }
            Edit::AddSource { question_id, id } => {
                let q = question_mut(p, question_id)?;
                add(
                    &mut q.sources,
                    id,
                    |s| &s.id,
                    || Source {
                        id: id.clone(),
                        text: empty(),
                    },
                );
            }
            Edit::AddTool { id, name } => {
                add(
                    &mut p.tools.items,
                    id,
                    |t| &t.id,
                    || Tool {
                        id: id.clone(),
                        name: name.clone(),
                        purpose: empty(),
                    },
                );
                p.touch(Step::Tools);
            }
            Edit::AddPage { id } => {
                let pid = PageId::from(id.as_str());
                if !p.content.pages.iter().any(|pg| pg.id == pid) {
                    let mut page = Page::new("");
                    page.id = pid;
                    p.content.pages.push(page);
                }
                p.touch(Step::Content);
            }
            Edit::AddTextBlock { page_id, id } => {
                let page = page_mut(p, page_id)?;
                let bid = BlockId::from(id.as_str());
                if !page.blocks.iter().any(|b| b.id == bid) {
                    let mut block = Block::text("");
                    block.id = bid;
                    page.blocks.push(block);
                }
                p.touch(Step::Content);
            }
            Edit::MoveBlock { page_id, id, to } => {
                let page = page_mut(p, page_id)?;
                let from = block_index(page, id)?;
                page.move_block(from, *to as usize);
            }
            Edit::RemoveBlock { page_id, id } => {
                let page = page_mut(p, page_id)?;
                let at = block_index(page, id)?;
                page.blocks.remove(at);
            }
            Edit::RestoreBlock {
                page_id,
                index,
                block,
            } => {
                let page = page_mut(p, page_id)?;
                if block_index(page, block.id()).is_err() {
                    let at = (*index as usize).min(page.blocks.len());
                    page.blocks.insert(at, block_of(block));
                }
            }
            Edit::SetStars { stars } => p.sharing.reflection.stars = u64::from((*stars).min(5)),
            Edit::AddPeerFeedback { id, about } => {
                add(
                    &mut p.sharing.peer_feedback,
                    id,
                    |f| &f.id,
                    || PeerFeedback {
                        id: id.clone(),
                        about: ProjectId::from(about.as_str()),
                        text: empty(),
                        stars: 0,
                    },
                );
                p.touch(Step::Sharing);
            }
            Edit::SetPeerStars { id, stars } => {
                find_mut(&mut p.sharing.peer_feedback, id, |f| &f.id)?.stars =
                    u64::from((*stars).min(5));
            }
            Edit::Remove { list, id } => remove(p, *list, id),
        }
        Ok(())
    }
}

impl TextField {
    /// The step this field belongs to (the title belongs to none).
    fn step(&self) -> Option<Step> {
        use TextField::*;
        Some(match self {
            Title => return None,
            PhenomenonTitle | PhenomenonWhy => Step::Phenomenon,
            Presentation | Learned | WentWell | DoDifferently | PeerFeedback { .. } => {
                Step::Sharing
            }
            Rule { .. } | Role { .. } | CheckInNote { .. } => Step::Agreement,
            SubjectHow { .. } => Step::Subjects,
            Goal { .. } => Step::Goals,
            Question { .. } | QuestionNotes { .. } | QuestionFindings { .. } | Source { .. } => {
                Step::ResearchQuestions
            }
            ToolPurpose { .. } => Step::Tools,
            PageTitle { .. } | BlockText { .. } | Caption { .. } => Step::Content,
        })
    }
}

fn text_mut<'p>(p: &'p mut Project, field: &TextField) -> Result<&'p mut Text> {
    use TextField as F;
    Ok(match field {
        F::Title => &mut p.title,
        F::PhenomenonTitle => &mut p.phenomenon.title,
        F::PhenomenonWhy => &mut p.phenomenon.why,
        F::Presentation => &mut p.sharing.presentation,
        F::Learned => &mut p.sharing.reflection.learned,
        F::WentWell => &mut p.sharing.reflection.went_well,
        F::DoDifferently => &mut p.sharing.reflection.do_differently,
        F::Rule { id } => &mut find_mut(&mut p.agreement.rules, id, |r| &r.id)?.text,
        F::Role { member_id } => {
            let member = MemberId::from(member_id.as_str());
            let roles = &mut p.agreement.roles;
            let at = match roles.iter().position(|r| r.member_id == member) {
                Some(at) => at,
                None => {
                    roles.push(Role {
                        member_id: member,
                        role: empty(),
                    });
                    roles.len() - 1
                }
            };
            &mut roles[at].role
        }
        F::CheckInNote { id } => &mut find_mut(&mut p.agreement.check_ins, id, |c| &c.id)?.note,
        F::SubjectHow { id } => &mut find_mut(&mut p.subjects.items, id, |s| &s.id)?.how,
        F::Goal { id } => &mut find_mut(&mut p.goals.items, id, |g| &g.id)?.text,
        F::Question { id } => &mut question_mut(p, id)?.question,
        F::QuestionNotes { id } => &mut question_mut(p, id)?.notes,
        F::QuestionFindings { id } => &mut question_mut(p, id)?.findings,
        F::Source { question_id, id } => {
            &mut find_mut(&mut question_mut(p, question_id)?.sources, id, |s| &s.id)?.text
        }
        F::ToolPurpose { id } => &mut find_mut(&mut p.tools.items, id, |t| &t.id)?.purpose,
        F::PageTitle { id } => &mut page_mut(p, id)?.title,
        F::BlockText { page_id, id } => {
            let page = page_mut(p, page_id)?;
            let at = block_index(page, id)?;
            match &mut page.blocks[at].kind {
                BlockKind::Text { body } => body,
                _ => {
                    return Err(Error::NotThere {
                        what: "text block",
                        id: id.clone(),
                    })
                }
            }
        }
        F::Caption { page_id, id } => {
            let page = page_mut(p, page_id)?;
            let at = block_index(page, id)?;
            match &mut page.blocks[at].kind {
                BlockKind::Text { .. } => {
                    return Err(Error::NotThere {
                        what: "media block",
                        id: id.clone(),
                    })
                }
                BlockKind::Photo { media }
                | BlockKind::Drawing { media }
                | BlockKind::Audio { media }
                | BlockKind::Video { media } => &mut media.caption,
            }
        }
        F::PeerFeedback { id } => &mut find_mut(&mut p.sharing.peer_feedback, id, |f| &f.id)?.text,
    })
}

fn empty() -> Text {
    Text::with_value("")
}

/// Adds an item unless one with this id is there (a retried edit adds nothing twice).
fn add<T>(items: &mut Vec<T>, id: &str, id_of: impl Fn(&T) -> &String, new: impl FnOnce() -> T) {
    if !items.iter().any(|item| id_of(item) == id) {
        items.push(new());
    }
}

fn find_mut<'a, T>(
    items: &'a mut [T],
    id: &str,
    id_of: impl Fn(&T) -> &String,
) -> Result<&'a mut T> {
    items
        .iter_mut()
        .find(|item| id_of(item) == id)
        .ok_or_else(|| Error::NotThere {
            what: "item",
            id: id.to_owned(),
        })
}

fn question_mut<'p>(p: &'p mut Project, id: &str) -> Result<&'p mut ResearchQuestion> {
    p.question_mut(&QuestionId::from(id))
        .ok_or_else(|| Error::NoSuchQuestion(id.to_owned()))
}

fn page_mut<'p>(p: &'p mut Project, id: &str) -> Result<&'p mut Page> {
    let id = PageId::from(id);
    p.content
        .pages
        .iter_mut()
        .find(|pg| pg.id == id)
        .ok_or_else(|| Error::NotThere {
            what: "page",
            id: id.to_string(),
        })
}

fn block_index(page: &Page, id: &str) -> Result<usize> {
    let id = BlockId::from(id);
    page.blocks
        .iter()
        .position(|b| b.id == id)
        .ok_or_else(|| Error::NotThere {
            what: "block",
            id: id.to_string(),
        })
}

fn block_of(view: &BlockView) -> Block {
    let kind = match view {
        BlockView::Text { text, .. } => BlockKind::Text {
            body: Text::with_value(text),
        },
        BlockView::Photo { media, .. } => BlockKind::Photo {
            media: media.to_ref(),
        },
        BlockView::Drawing { media, .. } => BlockKind::Drawing {
            media: media.to_ref(),
        },
        BlockView::Audio { media, .. } => BlockKind::Audio {
            media: media.to_ref(),
        },
        BlockView::Video { media, .. } => BlockKind::Video {
            media: media.to_ref(),
        },
    };
    Block {
        id: BlockId::from(view.id()),
        kind,
    }
}

fn remove(p: &mut Project, list: List, id: &str) {
    match list {
        List::Rules => p.agreement.rules.retain(|x| x.id != id),
        List::CheckIns => p.agreement.check_ins.retain(|x| x.id != id),
        List::Subjects => p.subjects.items.retain(|x| x.id != id),
        List::Goals => p.goals.items.retain(|x| x.id != id),
        List::Questions => {
            p.research.questions.retain(|x| x.id.as_str() != id);
            // What the group said about it goes with it.
            let spoken = format!("question.{id}.");
            p.voice_answers.retain(|v| !v.field.starts_with(&spoken));
        }
        List::Tools => p.tools.items.retain(|x| x.id != id),
        List::Pages => p.content.pages.retain(|x| x.id.as_str() != id),
        List::PeerFeedback => {
            p.sharing.peer_feedback.retain(|x| x.id != id);
            let spoken = format!("peer.{id}.");
            p.voice_answers.retain(|v| !v.field.starts_with(&spoken));
        }
        List::Sources => {
            for q in &mut p.research.questions {
                q.sources.retain(|x| x.id != id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hugme_model::{ClassId, GroupId};

    fn project() -> Project {
        Project::new(ClassId::random(), GroupId::random(), "Puro", 0)
    }

    fn set(field: TextField, text: &str) -> Edit {
        Edit::SetText {
            field,
            text: text.into(),
            base: None,
        }
    }

    #[test]
    fn a_pupils_keystroke_on_an_older_text_keeps_the_words_a_peer_added_meanwhile() {
        let mut p = Project::new("c".into(), "g".into(), "Vesi", 0);
        let why = TextField::PhenomenonWhy;
        set(why.clone(), "Vesi jäätyy").apply(&mut p).unwrap();
        // A groupmate's sentence arrives (here written straight into the stored text).
        text_mut(&mut p, &why)
            .unwrap()
            .update("Vesi jäätyy. Miksi?");
        // This pupil's field still shows the older text; they add a word in the middle.
        let typed = Edit::SetText {
            field: why.clone(),
            text: "Vesi jäätyy talvella".into(),
            base: Some("Vesi jäätyy".into()),
        };
        typed.apply(&mut p).unwrap();
        assert_eq!(
            text_mut(&mut p, &why).unwrap().as_str(),
            "Vesi jäätyy talvella. Miksi?"
        );
        // An edit whose text is already stored (the app's own change coming round again):
        // nothing is merged twice.
        let merged = text_mut(&mut p, &why).unwrap().as_str().to_owned();
        let again = Edit::SetText {
            field: why.clone(),
            text: merged.clone(),
            base: Some("Vesi jäätyy".into()),
        };
        again.apply(&mut p).unwrap();
        assert_eq!(text_mut(&mut p, &why).unwrap().as_str(), merged);
        // Without a base (an older app), the value replaces the text as before.
        set(why.clone(), "Vesi").apply(&mut p).unwrap();
        assert_eq!(text_mut(&mut p, &why).unwrap().as_str(), "Vesi");
    }

    #[test]
    fn a_question_is_added_once_and_typing_starts_the_step() {
        let mut p = project();
        let add = Edit::AddQuestion { id: "q1".into() };
        add.apply(&mut p).unwrap();
        add.apply(&mut p).unwrap();
        set(
            TextField::Question { id: "q1".into() },
            "Why is the ice thin?",
        )
        .apply(&mut p)
        .unwrap();
        assert_eq!(p.research.questions.len(), 1);
        assert_eq!(
            p.research.questions[0].question.as_str(),
            "Why is the ice thin?"
        );
        assert_eq!(p.step_state(Step::ResearchQuestions), StepState::InProgress);
    }

    #[test]
    fn a_missing_item_is_an_error_that_names_it() {
        let mut p = project();
        let err = set(TextField::Goal { id: "nope".into() }, "x")
            .apply(&mut p)
            .unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn a_removed_block_comes_back_where_it_was() {
        let mut p = project();
        Edit::AddPage { id: "p".into() }.apply(&mut p).unwrap();
        for id in ["a", "b", "c"] {
            Edit::AddTextBlock {
                page_id: "p".into(),
                id: id.into(),
            }
            .apply(&mut p)
            .unwrap();
            set(
                TextField::BlockText {
                    page_id: "p".into(),
                    id: id.into(),
                },
                id,
            )
            .apply(&mut p)
            .unwrap();
        }
        let gone = BlockView::of(&p.content.pages[0].blocks[1]);
        Edit::RemoveBlock {
            page_id: "p".into(),
            id: "b".into(),
        }
        .apply(&mut p)
        .unwrap();
        Edit::RestoreBlock {
            page_id: "p".into(),
            index: 1,
            block: gone,
        }
        .apply(&mut p)
        .unwrap();
        let texts: Vec<_> = p.content.pages[0]
            .blocks
            .iter()
            .map(|b| match &b.kind {
                BlockKind::Text { body } => body.as_str().to_owned(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(texts, ["a", "b", "c"]);
        Edit::MoveBlock {
            page_id: "p".into(),
            id: "a".into(),
            to: 2,
        }
        .apply(&mut p)
        .unwrap();
        assert_eq!(p.content.pages[0].blocks[2].id.as_str(), "a");
    }

    #[test]
    fn a_role_is_added_when_first_typed_and_stars_are_capped() {
        let mut p = project();
        set(
            TextField::Role {
                member_id: "m".into(),
            },
            "photographer",
        )
        .apply(&mut p)
        .unwrap();
        set(
            TextField::Role {
                member_id: "m".into(),
            },
            "writer",
        )
        .apply(&mut p)
        .unwrap();
        assert_eq!(p.agreement.roles.len(), 1);
        assert_eq!(p.agreement.roles[0].role.as_str(), "writer");
        Edit::SetStars { stars: 9 }.apply(&mut p).unwrap();
        assert_eq!(p.sharing.reflection.stars, 5);
    }

    #[test]
    fn edits_read_the_json_the_ui_sends() {
        let edit: Edit = serde_json::from_str(
            r#"{"op":"set-text","field":{"field":"question-findings","id":"q"},"text":"t"}"#,
        )
        .unwrap();
        assert_eq!(
            edit,
            set(TextField::QuestionFindings { id: "q".into() }, "t")
        );
    }
}
