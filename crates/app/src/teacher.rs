//! What the teacher's device does: the live overview of every group, feedback and approval,
//! goals for all groups at once, and the class's devices.
//!
//! The teacher reads the pupils' work but does not write their text: feedback goes into the
//! project's review document (which only teacher devices write); the only project field the
//! teacher touches is the raised hand, lowered when they have come.

use hugme_model::{
    Approval, BlockId, BlockKind, Class, ClassId, Comment, DeviceRole, Goal, Group, GroupId,
    Member, MemberId, Pin, Project, ProjectId, QuestionId, Step, Text,
};
use hugme_store::now_ms;

use crate::api::teacher::{
    ClassEdit, CommentView, DashboardView, DeviceView, FeedbackView, GroupOverview, PinView,
    ProjectOverview, ReviewEdit,
};
use crate::api::view::{ExportDone, ExportFormat, ExportProgress};
use crate::error::{Error, Result};
use crate::App;

/// The newest pictures shown per project on the overview.
const NEWEST: usize = 3;

impl App {
    /// Whether this device is a teacher's device of its class.
    pub fn is_teacher(&self) -> Result<bool> {
        let Some(device) = self.device() else {
            return Ok(false);
        };
        if !self.certified_teacher() {
            return Ok(false);
        }
        Ok(self.classes()?.iter().any(|c| {
            c.devices
                .iter()
                .any(|d| d.id.as_str() == device && d.role == DeviceRole::Teacher && !d.revoked)
        }))
    }

    /// The overview of every group of a class; `today` is the local date (`YYYY-MM-DD`) for
    /// the day's check-ins.
    pub fn dashboard(&self, class: &str, today: &str) -> Result<DashboardView> {
        // Every group's moods and progress: not for a group's tablet.
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        let class = self
            .classes()?
            .into_iter()
            .find(|c| c.id.as_str() == class)
            .ok_or_else(|| Error::NoSuchClass(class.to_owned()))?;
        let (projects, unreadable) = self.projects_with_unreadable()?;
        let mut groups = Vec::new();
        let cards = self.group_cards(&class)?;
        for (group, card) in class.groups.iter().zip(cards) {
            let mut overviews = Vec::new();
            for opened in projects
                .iter()
                .filter(|p| p.value.class_id == class.id && p.value.group_id == group.id)
            {
                overviews.push(self.overview(&opened.value, today)?);
            }
            groups.push(GroupOverview {
                group: card,
                projects: overviews,
                unreadable: unreadable
                    .iter()
                    .filter(|(_, g)| g.as_deref() == Some(group.id.as_str()))
                    .map(|(id, _)| id.clone())
                    .collect(),
            });
        }
        Ok(DashboardView {
            class_id: class.id.to_string(),
            class_name: class.name.as_str().to_owned(),
            language: class.settings.language.clone(),
            groups,
            devices: devices(&class),
            ended_at: class.ended_at,
        })
    }

    fn overview(&self, p: &Project, today: &str) -> Result<ProjectOverview> {
        let review = self.review(&p.id)?;
        let mut newest: Vec<String> = p
            .content
            .pages
            .iter()
            .flat_map(|page| page.blocks.iter())
            .filter_map(|b| match &b.kind {
                BlockKind::Photo { media } | BlockKind::Drawing { media } => Some(
                    media
                        .thumbnail
                        .clone()
                        .unwrap_or_else(|| media.hash.clone()),
                ),
                _ => None,
            })
            .collect();
        // Pages fill from the top: the last blocks are the newest.
        newest.reverse();
        newest.truncate(NEWEST);
        Ok(ProjectOverview {
            id: p.id.to_string(),
            title: p.title.as_str().to_owned(),
            phenomenon: p.phenomenon.title.as_str().to_owned(),
            template: p.template.as_ref().map(|t| t.name.clone()),
            steps: Step::ALL.iter().map(|s| p.step_state(*s)).collect(),
            newest,
            hand_raised: p.hand_raised_at.is_some(),
            moods_today: p
                .agreement
                .check_ins
                .iter()
                .filter(|c| c.date == today)
                .map(|c| c.mood.clone())
                .collect(),
            last_change: self.last_changed(p.id.as_str())?,
            approval: review
                .as_ref()
                .map_or(Approval::NotReviewed, |r| r.approval),
            locked: review.as_ref().is_some_and(|r| r.locked),
            open_comments: review.as_ref().map_or(0, |r| {
                r.comments.iter().filter(|c| !c.resolved).count() as u32
            }),
        })
    }

    /// The teacher's feedback on a project, as the group's tablet and the teacher see it.
    pub fn feedback(&self, project: &str) -> Result<FeedbackView> {
        let review = self.review(&ProjectId::from(project))?;
        Ok(FeedbackView {
            overall: review
                .as_ref()
                .map_or(String::new(), |r| r.overall.as_str().to_owned()),
            approval: review
                .as_ref()
                .map_or(Approval::NotReviewed, |r| r.approval),
            locked: review.as_ref().is_some_and(|r| r.locked),
            comments: review
                .map(|r| r.comments.iter().map(comment_view).collect())
                .unwrap_or_default(),
        })
    }

    /// Applies a teacher's review edit durably. Only a teacher's device may.
    pub fn review_project(&self, project: &str, edit: ReviewEdit) -> Result<()> {
        let project = &ProjectId::from(project);
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        if edit == ReviewEdit::LowerHand {
            return self.update_project(project, |p| {
                p.hand_raised_at = None;
                Ok(())
            });
        }
        // The project must exist: a review of nothing helps no one.
        self.project(project)?;
        self.update_review(project, |r| {
            match edit {
                ReviewEdit::SetOverall { text } => r.overall.update(&text),
                ReviewEdit::SetApproval { approval } => r.approval = approval,
                ReviewEdit::SetLocked { locked } => r.locked = locked,
                ReviewEdit::AddComment { id, pin, text } => {
                    if !r.comments.iter().any(|c| c.id == id) {
                        r.comments.push(Comment {
                            id,
                            pin: pin_of(pin),
                            text: Text::with_value(text),
                            created_at: now_ms(),
                            resolved: false,
                        });
                    }
                }
                ReviewEdit::ResolveComment { id } => {
                    if let Some(c) = r.comments.iter_mut().find(|c| c.id == id) {
                        c.resolved = true;
                    }
                }
                ReviewEdit::LowerHand => {}
            }
            Ok(())
        })
    }

    /// Exports every project of a class (end of term), with the teacher's feedback if
    /// asked; pupils with a protected identity appear by group name only.
    pub fn export_class(
        &self,
        class: &str,
        format: ExportFormat,
        include_feedback: bool,
        folder: &std::path::Path,
        on_progress: impl Fn(ExportProgress) + Send + Sync + 'static,
    ) -> Result<ExportDone> {
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        let name = self
            .classes()?
            .into_iter()
            .find(|c| c.id.as_str() == class)
            .map(|c| c.name.as_str().to_owned())
            .ok_or_else(|| Error::NoSuchClass(class.to_owned()))?;
        let scope = hugme_export::Scope::Class(class.to_owned());
        self.export_to(
            scope,
            (&format!("class {name}"), class),
            format,
            include_feedback,
            folder,
            on_progress,
        )
    }

    /// Ends the class's term: every other device deletes the class when it next syncs (the
    /// order is the class document's `ended_at`; `hugme-node`'s `term` carries it out).
    /// Teachers only; export the class first.
    pub fn end_term(&self, class: &str) -> Result<()> {
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        self.update_class(&class.into(), |c| {
            c.ended_at.get_or_insert(now_ms());
            Ok(())
        })
    }

    /// Changes the class's groups and pupils. Only a teacher's device may. A protected
    /// pupil's name goes to the group's identities document, never to the class document
    /// (`crate::identities`).
    pub fn edit_class(&self, class: &str, edit: ClassEdit) -> Result<()> {
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        let id = ClassId::from(class);
        match edit {
            ClassEdit::AddMember {
                group,
                id: member,
                name,
                protected: Some(true),
            } => {
                let group = self.group_in(&id, &group)?;
                let member = MemberId::from(member.as_str());
                self.keep_protected_name(&id, &group, &member, name.trim())?;
                self.update_class(&id, |c| {
                    let members = &mut group_mut(c, &group)?.members;
                    if !members.iter().any(|m| m.id == member) {
                        let mut added = Member::new("");
                        added.id = member;
                        added.protected_identity = true;
                        members.push(added);
                    }
                    Ok(())
                })
            }
            ClassEdit::RenameMember {
                group,
                id: member,
                name,
            } => {
                let group = self.group_in(&id, &group)?;
                let member = MemberId::from(member.as_str());
                let Some(before) = self.member_in(&id, &group, &member)? else {
                    return Ok(());
                };
                if before.protected_identity {
                    return self.keep_protected_name(&id, &group, &member, name.trim());
                }
                self.update_class(&id, |c| {
                    if let Some(m) = find_member(group_mut(c, &group)?, &member) {
                        m.name.update(name.trim());
                    }
                    Ok(())
                })
            }
            ClassEdit::SetProtected {
                group,
                id: member,
                protected,
            } => {
                let group = self.group_in(&id, &group)?;
                let member = MemberId::from(member.as_str());
                let Some(before) = self.member_in(&id, &group, &member)? else {
                    return Ok(());
                };
                let kept = self
                    .protected_names(&group)?
                    .and_then(|list| list.name_of(&member).map(str::to_owned));
                if protected {
                    // Out of the class document: first where it goes, then from where it was.
                    let name = kept
                        .clone()
                        .unwrap_or_else(|| before.name.as_str().to_owned());
                    self.keep_protected_name(&id, &group, &member, &name)?;
                }
                self.update_class(&id, |c| {
                    if let Some(m) = find_member(group_mut(c, &group)?, &member) {
                        m.protected_identity = protected;
                        match (protected, &kept) {
                            (true, _) => m.name.update(""),
                            (false, Some(name)) => m.name.update(name),
                            (false, None) => {}
                        }
                    }
                    Ok(())
                })?;
                if !protected {
                    self.drop_protected_name(&group, &member)?;
                }
                Ok(())
            }
            ClassEdit::RemoveMember { group, id: member } => {
                let group = self.group_in(&id, &group)?;
                let member = MemberId::from(member.as_str());
                self.update_class(&id, |c| {
                    group_mut(c, &group)?.members.retain(|m| m.id != member);
                    Ok(())
                })?;
                self.drop_protected_name(&group, &member).map(drop)
            }
            edit => self.update_class(&id, |c| class_edit(c, class, edit)),
        }
    }

    /// A group of a class, checked to exist.
    fn group_in(&self, class: &ClassId, group: &str) -> Result<GroupId> {
        let id = GroupId::from(group);
        let found = self.read::<Class>(class.as_str())?.value;
        found.group(&id).ok_or_else(|| Error::NoSuchGroup {
            class: class.to_string(),
            group: group.to_owned(),
        })?;
        Ok(id)
    }

    /// A member of a group as the class document has it (`None`: not there, perhaps removed
    /// on another teacher device; the edit then does nothing, as for any other missing pupil).
    fn member_in(
        &self,
        class: &ClassId,
        group: &GroupId,
        member: &MemberId,
    ) -> Result<Option<Member>> {
        let found = self.read::<Class>(class.as_str())?.value;
        Ok(found
            .group(group)
            .and_then(|g| g.members.iter().find(|m| &m.id == member))
            .cloned())
    }

    /// Adds the same goal to every project of a class (a teacher setting goals for all).
    /// Returns how many projects got it.
    pub fn add_goal_to_all(&self, class: &str, text: &str) -> Result<usize> {
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        let ids: Vec<ProjectId> = self
            .projects()?
            .into_iter()
            .filter(|p| p.value.class_id.as_str() == class)
            .map(|p| p.value.id)
            .collect();
        for id in &ids {
            self.update_project(id, |p| {
                p.goals.items.push(Goal {
                    id: uuid::Uuid::new_v4().to_string(),
                    text: Text::with_value(text),
                    set_by_teacher: true,
                    reached: false,
                });
                Ok(())
            })?;
        }
        Ok(ids.len())
    }
}

fn group_mut<'c>(class: &'c mut Class, group: &GroupId) -> Result<&'c mut Group> {
    let class_id = class.id.to_string();
    class.group_mut(group).ok_or_else(|| Error::NoSuchGroup {
        class: class_id,
        group: group.to_string(),
    })
}

fn find_member<'g>(group: &'g mut Group, member: &MemberId) -> Option<&'g mut Member> {
    group.members.iter_mut().find(|m| &m.id == member)
}

/// The class edits that touch only the class document.
fn class_edit(c: &mut Class, class: &str, edit: ClassEdit) -> Result<()> {
    let group_of = |c: &mut Class, group: &str| -> Result<usize> {
        c.groups
            .iter()
            .position(|g| g.id.as_str() == group)
            .ok_or_else(|| Error::NoSuchGroup {
                class: class.to_owned(),
                group: group.to_owned(),
            })
    };
    match edit {
        ClassEdit::SetLanguage { language } => {
            if !hugme_model::class::LANGUAGES.contains(&language.as_str()) {
                return Err(Error::NoSuchLanguage(language));
            }
            c.settings.language = language;
        }
        ClassEdit::AddGroup { id, name } => {
            if !c.groups.iter().any(|g| g.id.as_str() == id) {
                c.add_group(name.trim());
                if let Some(added) = c.groups.last_mut() {
                    added.id = GroupId::from(id.as_str());
                }
            }
        }
        ClassEdit::RenameGroup { id, name } => {
            let g = group_of(c, &id)?;
            c.groups[g].name.update(name.trim());
        }
        ClassEdit::SetPin { group, pin } => {
            let g = group_of(c, &group)?;
            let pin = pin.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
            if pin
                .as_deref()
                .is_some_and(|p| !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(Error::BadPin);
            }
            c.groups[g].pin_hash = pin.as_deref().map(crate::pin::hash);
        }
        ClassEdit::AddMember {
            group, id, name, ..
        } => {
            let g = group_of(c, &group)?;
            let members = &mut c.groups[g].members;
            if !members.iter().any(|m| m.id.as_str() == id) {
                let mut member = Member::new(name.trim());
                member.id = MemberId::from(id.as_str());
                members.push(member);
            }
        }
        // Each reads or writes protected names: handled in `App::edit_class`.
        ClassEdit::RenameMember { .. }
        | ClassEdit::SetProtected { .. }
        | ClassEdit::RemoveMember { .. } => {}
    }
    Ok(())
}

fn devices(class: &Class) -> Vec<DeviceView> {
    class
        .devices
        .iter()
        .map(|d| DeviceView {
            id: d.id.to_string(),
            name: d.name.clone(),
            role: match d.role {
                DeviceRole::Teacher => "teacher",
                DeviceRole::GroupTablet => "group-tablet",
                DeviceRole::Hub => "hub",
            }
            .to_owned(),
            groups: d
                .groups
                .iter()
                .filter_map(|g| class.group(g).map(|g| g.name.as_str().to_owned()))
                .collect(),
            revoked: d.revoked,
            left_at: d.left_at,
        })
        .collect()
}

fn pin_of(pin: PinView) -> Pin {
    match pin {
        PinView::Step { step } => Pin::Step { step },
        PinView::Question { id } => Pin::Question {
            id: QuestionId::from(id.as_str()),
        },
        PinView::Block { id } => Pin::Block {
            id: BlockId::from(id.as_str()),
        },
    }
}

fn comment_view(c: &Comment) -> CommentView {
    CommentView {
        id: c.id.clone(),
        pin: match &c.pin {
            Pin::Step { step } => PinView::Step { step: *step },
            Pin::Question { id } => PinView::Question { id: id.to_string() },
            Pin::Block { id } => PinView::Block { id: id.to_string() },
        },
        text: c.text.as_str().to_owned(),
        created_at: c.created_at,
        resolved: c.resolved,
    }
}

#[cfg(test)]
#[path = "teacher_tests.rs"]
mod tests;
