//! What the student app does on a group's tablet: pick a class and a group, start or open
//! the group's project, edit it, add media, and read other groups' projects for feedback.
//!
//! Every call returns views ([`crate::api::view`]); the Tauri shell only adapts these to commands.

use hugme_model::{BlockKind, Class, ClassId, GroupId, PageId, ProjectId, Step};

use crate::api::edit::Edit;
use crate::api::view::{
    BlockView, ClassCard, ExportDone, ExportFormat, ExportProgress, ProjectSummary, ProjectView,
    VoiceAnswerView,
};
use crate::error::{Error, Result};
use crate::App;
use hugme_task::lock;

impl App {
    /// Every class on this tablet with its group cards, for the start screen; protected
    /// pupils as [`App::group_cards`] says.
    pub fn class_cards(&self) -> Result<Vec<ClassCard>> {
        self.classes()?
            .iter()
            .map(|class| {
                let mut card = ClassCard::of(class);
                card.groups = self.group_cards(class)?;
                Ok(card)
            })
            .collect()
    }

    fn class(&self, id: &str) -> Result<Class> {
        self.classes()?
            .into_iter()
            .find(|c| c.id.as_str() == id)
            .ok_or_else(|| Error::NoSuchClass(id.to_owned()))
    }

    /// Opens a group (checking its PIN when the teacher set one) and lists its projects.
    pub fn open_group(
        &self,
        class: &str,
        group: &str,
        pin: Option<&str>,
    ) -> Result<Vec<ProjectSummary>> {
        let class = self.class(class)?;
        let found = class
            .group(&GroupId::from(group))
            .ok_or_else(|| Error::NoSuchGroup {
                class: class.id.to_string(),
                group: group.to_owned(),
            })?;
        if let Some(hash) = found.pin_hash.as_deref().filter(|p| !p.is_empty()) {
            if !crate::pin::matches(pin.map(str::trim).unwrap_or_default(), hash) {
                return Err(Error::WrongPin(found.name.as_str().to_owned()));
            }
        }
        let name = found.name.as_str().to_owned();
        Ok(self
            .projects()?
            .iter()
            .filter(|p| p.value.class_id == class.id && p.value.group_id == found.id)
            .map(|p| ProjectSummary::of(&p.value, &name))
            .collect())
    }

    /// Other groups' projects in the class, for peer feedback.
    pub fn peer_projects(&self, class: &str, own_group: &str) -> Result<Vec<ProjectSummary>> {
        let class = self.class(class)?;
        Ok(self
            .projects()?
            .iter()
            .filter(|p| p.value.class_id == class.id && p.value.group_id.as_str() != own_group)
            .map(|p| {
                let group = class.group(&p.value.group_id);
                let name = group.map_or("", |g| g.name.as_str());
                ProjectSummary::of(&p.value, name)
            })
            .collect())
    }

    /// Starts a project for a group and returns it.
    pub fn start_project(&self, class: &str, group: &str, title: &str) -> Result<ProjectView> {
        let class = self.class(class)?;
        let group_id = GroupId::from(group);
        if class.group(&group_id).is_none() {
            return Err(Error::NoSuchGroup {
                class: class.id.to_string(),
                group: group.to_owned(),
            });
        }
        let id = self.create_project(&ClassId::from(class.id.as_str()), &group_id, title)?;
        self.project_view(id.as_str())
    }

    /// A project as the step editors show it.
    pub fn project_view(&self, id: &str) -> Result<ProjectView> {
        let id = ProjectId::from(id);
        let opened = self.project(&id)?;
        let review = self.review(&id)?;
        Ok(ProjectView::of(&opened, review.as_ref()))
    }

    /// Applies a pupil's edit durably; a locked project refuses it.
    pub fn edit_project(&self, id: &str, edit: &Edit) -> Result<()> {
        let id = ProjectId::from(id);
        self.refuse_if_locked(&id)?;
        self.update_project(&id, |p| edit.apply(p))
    }

    fn refuse_if_locked(&self, id: &ProjectId) -> Result<()> {
        if self.review(id)?.is_some_and(|r| r.locked) {
            return Err(Error::Locked(id.to_string()));
        }
        Ok(())
    }

    /// Imports a photo, sound or video file's bytes and adds it as a block at the end of a
    /// page. The file is checked and stored before the project changes: a refused file
    /// changes nothing.
    pub fn add_media_block(
        &self,
        project: &str,
        page: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<BlockView> {
        self.add_block(project, page, |app| app.import_block(name, bytes))
    }

    /// Keeps a recording as the spoken answer to a text field of a project (`field`, as
    /// [`hugme_model::VoiceAnswer::is_field`] names them), replacing one given before.
    ///
    /// # Errors
    /// [`Error::NotThere`] for a field no project has; [`Error::Locked`] for a locked project;
    /// the media import's errors, and [`Error::NotASound`] for a file that is no sound.
    pub fn add_voice_answer(
        &self,
        project: &str,
        field: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<VoiceAnswerView> {
        let id = ProjectId::from(project);
        if !hugme_model::VoiceAnswer::is_field(field) {
            return Err(Error::NotThere {
                what: "field",
                id: field.to_owned(),
            });
        }
        // The project first (before the slow import).
        self.project(&id)?;
        self.refuse_if_locked(&id)?;
        let block = self.import_block(name, bytes)?;
        let BlockKind::Audio { media } = block.kind else {
            return Err(Error::NotASound(name.to_owned()));
        };
        let answer = hugme_model::VoiceAnswer {
            field: field.to_owned(),
            audio: media,
            recorded_at: hugme_store::now_ms(),
        };
        let view = VoiceAnswerView {
            field: answer.field.clone(),
            audio: crate::api::view::MediaView::of(&answer.audio),
        };
        // The old recording out, then the new one in, as two changes: two tablets that
        // re-record at once each add a whole answer (the newest is shown), never one answer
        // made of both.
        self.update_project(&id, |p| {
            p.voice_answers.retain(|v| v.field != answer.field);
            Ok(())
        })?;
        self.update_project(&id, |p| {
            p.voice_answers.push(answer);
            Ok(())
        })?;
        Ok(view)
    }

    /// Adds a drawing (a PNG from the drawing canvas) at the end of a page.
    pub fn add_drawing_block(&self, project: &str, page: &str, png: &[u8]) -> Result<BlockView> {
        self.add_block(project, page, |app| {
            let mut block = app.import_block("drawing.png", png)?;
            if let BlockKind::Photo { media } = block.kind {
                block.kind = BlockKind::Drawing { media };
            }
            Ok(block)
        })
    }

    /// Exports one project into `folder` (as `<title>.imscc`, or `.zip` for the portfolio)
    /// and returns the file's path and what it could not hold. `on_progress` hears how far it is (bytes, about a hundred
    /// times in all, from the export's thread); [`App::cancel_export`] stops it.
    ///
    /// # Errors
    /// [`Error::ExportRunning`] while another export is being written (one at a time: they
    /// are disk-bound anyway); the export's errors ([`hugme_export::Error::Cancelled`] after a
    /// cancel, which leaves no file).
    pub fn export_project(
        &self,
        project: &str,
        format: ExportFormat,
        folder: &std::path::Path,
        on_progress: impl Fn(ExportProgress) + Send + Sync + 'static,
    ) -> Result<ExportDone> {
        let view = self.project_view(project)?;
        let scope = hugme_export::Scope::Project(view.id.clone());
        self.export_to(
            scope,
            (&view.title, &view.id),
            format,
            false,
            folder,
            on_progress,
        )
    }

    /// Stops the export under way, if any; it leaves no file behind.
    pub fn cancel_export(&self) {
        if let Some(progress) = lock(&self.export).as_ref() {
            progress.cancel();
        }
    }

    /// Writes an export of `scope` into `folder`, named after `name` (a title and an id),
    /// and returns its path and what it could not hold.
    pub(crate) fn export_to(
        &self,
        scope: hugme_export::Scope,
        name: (&str, &str),
        format: ExportFormat,
        include_feedback: bool,
        folder: &std::path::Path,
        on_progress: impl Fn(ExportProgress) + Send + Sync + 'static,
    ) -> Result<ExportDone> {
        let (format, ext) = match format {
            ExportFormat::Cc11 => (hugme_export::Format::Cc11, "imscc"),
            ExportFormat::Cc13 => (hugme_export::Format::Cc13, "cc13.imscc"),
            ExportFormat::Html => (hugme_export::Format::Html, "zip"),
            ExportFormat::MoodleBackup => (hugme_export::Format::MoodleBackup, "mbz"),
        };
        let options = hugme_export::Options {
            format,
            include_feedback,
        };
        let out = folder.join(format!(
            "{}.{ext}",
            hugme_export::package::slug(name.0, name.1)
        ));
        // About a hundred reports for a whole export, not one per chunk.
        let last = std::sync::Mutex::new(0u64);
        let progress = hugme_export::Progress::with_listener(move |b: hugme_export::Bytes| {
            let (done, total) = (b.done, b.total);
            let step = (total / 100).max(1);
            let mut last = lock(&last);
            // The first (nothing written yet), the last, and one every hundredth.
            if done == 0 || done == total || done >= *last + step {
                *last = done;
                on_progress(ExportProgress { done, total });
            }
        });
        {
            let mut current = lock(&self.export);
            if current.as_ref().is_some_and(|p| !p.is_cancelled()) {
                return Err(Error::ExportRunning);
            }
            *current = Some(progress.clone());
        }
        let written = std::fs::create_dir_all(folder)
            .map_err(|source| hugme_export::Error::Write {
                path: folder.to_owned(),
                source,
            })
            .and_then(|()| hugme_export::export(self.store(), &scope, &options, &out, &progress));
        // Forget this export only: after a cancel, a newer one may already be the current one.
        let mut current = lock(&self.export);
        if current.as_ref().is_some_and(|p| p.is(&progress)) {
            *current = None;
        }
        Ok(ExportDone::of(&out, &written?))
    }

    fn add_block(
        &self,
        project: &str,
        page: &str,
        make: impl FnOnce(&App) -> Result<hugme_model::Block>,
    ) -> Result<BlockView> {
        let id = ProjectId::from(project);
        self.refuse_if_locked(&id)?;
        let page_id = PageId::from(page);
        // Check the page exists before the (slow) import.
        if !self
            .project(&id)?
            .value
            .content
            .pages
            .iter()
            .any(|p| p.id == page_id)
        {
            return Err(Error::NotThere {
                what: "page",
                id: page.to_owned(),
            });
        }
        let block = make(self)?;
        let view = BlockView::of(&block);
        self.update_project(&id, |p| {
            let page = p
                .content
                .pages
                .iter_mut()
                .find(|p| p.id == page_id)
                .ok_or_else(|| Error::NotThere {
                    what: "page",
                    id: page_id.to_string(),
                })?;
            page.blocks.push(block);
            p.touch(Step::Content);
            Ok(())
        })?;
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::edit::TextField;
    use hugme_model::DeviceRole;

    /// A class of two groups, each with one pupil of protected identity ("Salainen") and one
    /// other, on a device listed as `role` of `groups`.
    fn class_seen_by(role: DeviceRole, groups: &[usize]) -> Vec<ClassCard> {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        app.set_device("this-device").unwrap();
        let class = app
            .create_class_document("5B", &["Ketut", "Karhut"])
            .unwrap();
        // Written as a teacher's device writes them: the protected names to each group's
        // identities document, then the device listed as what it is.
        app.update_class(&class.id, |c| {
            c.devices
                .push(device("this-device", DeviceRole::Teacher, Vec::new()));
            Ok(())
        })
        .unwrap();
        app.set_certified_role(Some(DeviceRole::Teacher));
        for (i, g) in class.groups.iter().enumerate() {
            for (name, protected) in [
                (format!("Aino {i}"), None),
                (format!("Salainen {i}"), Some(true)),
            ] {
                app.edit_class(
                    class.id.as_str(),
                    crate::api::teacher::ClassEdit::AddMember {
                        group: g.id.to_string(),
                        id: hugme_model::MemberId::random().to_string(),
                        name,
                        protected,
                    },
                )
                .unwrap();
            }
        }
        app.update_class(&class.id, |c| {
            let own = groups.iter().map(|&g| c.groups[g].id.clone()).collect();
            c.devices = vec![device("this-device", role, own)];
            Ok(())
        })
        .unwrap();
        app.set_certified_role(Some(role));
        app.class_cards().unwrap()
    }

    fn device(id: &str, role: DeviceRole, groups: Vec<GroupId>) -> hugme_model::Device {
        hugme_model::Device {
            id: hugme_model::DeviceId::from(id),
            name: "tablet".into(),
            role,
            groups,
            enrolled_at: 0,
            revoked: false,
            left_at: None,
            written_before_removal: Vec::new(),
        }
    }

    fn names(cards: &[ClassCard]) -> Vec<Vec<String>> {
        cards[0]
            .groups
            .iter()
            .map(|g| g.members.iter().map(|m| m.name.clone()).collect())
            .collect()
    }

    #[test]
    fn a_protected_pupil_is_named_only_on_the_own_groups_tablet_and_the_teachers_device() {
        let ketut_tablet = class_seen_by(DeviceRole::GroupTablet, &[0]);
        assert_eq!(
            names(&ketut_tablet),
            [vec!["Aino 0", "Salainen 0"], vec!["Aino 1"]]
        );
        let teacher = class_seen_by(DeviceRole::Teacher, &[]);
        assert_eq!(
            names(&teacher),
            [vec!["Aino 0", "Salainen 0"], vec!["Aino 1", "Salainen 1"]]
        );
    }

    #[test]
    fn a_group_with_a_pin_opens_only_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let class = app.create_class_document("5B", &["Kettus"]).unwrap();
        let group = class.groups[0].id.clone();
        app.update_class(&class.id, |c| {
            c.group_mut(&group).unwrap().pin_hash = Some(crate::pin::hash("4321"));
            Ok(())
        })
        .unwrap();
        let err = app
            .open_group(class.id.as_str(), group.as_str(), Some("1111"))
            .unwrap_err();
        assert!(matches!(err, Error::WrongPin(_)), "{err}");
        assert!(app
            .open_group(class.id.as_str(), group.as_str(), None)
            .is_err());
        let projects = app
            .open_group(class.id.as_str(), group.as_str(), Some("4321"))
            .unwrap();
        assert!(projects.is_empty());
    }

    #[test]
    fn a_started_project_is_listed_for_its_group_only_and_keeps_edits() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let class = app
            .create_class_document("5B", &["Kettus", "Karhut"])
            .unwrap();
        let (c, a, b) = (
            class.id.as_str(),
            class.groups[0].id.as_str(),
            class.groups[1].id.as_str(),
        );
        let view = app.start_project(c, a, "Puro").unwrap();
        app.edit_project(&view.id, &Edit::AddQuestion { id: "q".into() })
            .unwrap();
        app.edit_project(
            &view.id,
            &Edit::SetText {
                field: TextField::Question { id: "q".into() },
                text: "Miksi?".into(),
                base: None,
            },
        )
        .unwrap();
        assert_eq!(app.open_group(c, a, None).unwrap().len(), 1);
        assert!(app.open_group(c, b, None).unwrap().is_empty());
        assert_eq!(app.peer_projects(c, b).unwrap().len(), 1);
        assert!(app.peer_projects(c, a).unwrap().is_empty());
        drop(app);
        let app = App::open(dir.path()).unwrap();
        let again = app.project_view(&view.id).unwrap();
        assert_eq!(again.questions[0].question, "Miksi?");
    }

    #[test]
    fn a_corrupt_photo_is_refused_and_changes_nothing() {
        let (_dir, app, view) = one_project();
        app.edit_project(&view.id, &Edit::AddPage { id: "pg".into() })
            .unwrap();
        let before = app.project_view(&view.id).unwrap();
        let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0];
        bytes.extend_from_slice(&[7; 200]);
        let err = app
            .add_media_block(&view.id, "pg", "broken.jpg", &bytes)
            .unwrap_err();
        assert!(matches!(err, Error::Media(_)), "{err}");
        assert_eq!(app.project_view(&view.id).unwrap(), before);
    }

    use hugme_sample::tone_wav as tone;

    /// A class of one group with its project, in a data folder of its own.
    fn one_project() -> (tempfile::TempDir, App, ProjectView) {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let class = app.create_class_document("5B", &["Kettus"]).unwrap();
        let view = app
            .start_project(class.id.as_str(), class.groups[0].id.as_str(), "P")
            .unwrap();
        (dir, app, view)
    }

    #[test]
    fn a_spoken_answer_is_kept_for_its_field_replaced_and_removed() {
        let (_dir, app, view) = one_project();
        app.edit_project(&view.id, &Edit::AddQuestion { id: "q1".into() })
            .unwrap();
        let first = app
            .add_voice_answer(&view.id, "phenomenon.title", "recording.wav", &tone(500))
            .unwrap();
        assert_eq!(first.audio.mime, "audio/wav");
        app.add_voice_answer(&view.id, "question.q1.findings", "r.wav", &tone(300))
            .unwrap();
        // Spoken again: the new recording replaces the old one for that field.
        let again = app
            .add_voice_answer(&view.id, "phenomenon.title", "recording.wav", &tone(700))
            .unwrap();
        assert_ne!(again.audio.hash, first.audio.hash);
        let held = app.project_view(&view.id).unwrap().voice_answers;
        assert_eq!(held.len(), 2);
        assert!(held.contains(&again));
        app.edit_project(
            &view.id,
            &Edit::RemoveVoiceAnswer {
                field: "phenomenon.title".into(),
            },
        )
        .unwrap();
        let held = app.project_view(&view.id).unwrap().voice_answers;
        assert_eq!(
            held.iter().map(|v| v.field.as_str()).collect::<Vec<_>>(),
            ["question.q1.findings"]
        );
        // No such field, or no sound: refused, nothing changes.
        let before = app.project_view(&view.id).unwrap();
        let err = app
            .add_voice_answer(&view.id, "class.name", "r.wav", &tone(300))
            .unwrap_err();
        assert!(
            matches!(err, Error::NotThere { what: "field", .. }),
            "{err}"
        );
        let png = image_png();
        let err = app
            .add_voice_answer(&view.id, "phenomenon.why", "photo.png", &png)
            .unwrap_err();
        assert!(matches!(err, Error::NotASound(_)), "{err}");
        assert_eq!(app.project_view(&view.id).unwrap(), before);
        // A question taken away takes what was said about it.
        app.edit_project(
            &view.id,
            &Edit::Remove {
                list: crate::api::edit::List::Questions,
                id: "q1".into(),
            },
        )
        .unwrap();
        let p = app
            .project(&ProjectId::from(view.id.as_str()))
            .unwrap()
            .value;
        assert!(p.voice_answers.is_empty(), "{:?}", p.voice_answers);
    }

    /// A small PNG (8×8 red: a picture, not a sound).
    fn image_png() -> Vec<u8> {
        vec![
            137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 8, 0, 0, 0, 8,
            8, 2, 0, 0, 0, 75, 109, 41, 220, 0, 0, 0, 18, 73, 68, 65, 84, 120, 156, 99, 248, 207,
            192, 128, 21, 97, 23, 29, 180, 18, 0, 40, 255, 63, 193, 110, 236, 223, 97, 0, 0, 0, 0,
            73, 69, 78, 68, 174, 66, 96, 130,
        ]
    }
}
