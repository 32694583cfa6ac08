//! The sample class (`hugme demo`, and "load a sample class" in the app), written through
//! the facade so that its changes carry this device's actor: the content is
//! [`hugme_sample`]'s.

use hugme_model::document::Document;

use crate::error::{Error, Result};
use crate::App;

pub use hugme_sample::{iso_date, Demo, GROUP_NAMES};

impl hugme_sample::Folder for App {
    type Error = Error;

    fn create<T: Document>(&self, id: &str, value: &T) -> Result<()> {
        App::create(self, id, value)
    }

    fn add_picture(&self, png: &[u8]) -> Result<(String, u64)> {
        let blob = self.add_media(png)?;
        Ok((blob.hash, blob.size))
    }
}

/// Fills `app` with the sample class and its two projects.
///
/// # Errors
/// The store's, when a document or picture cannot be stored.
pub fn create(app: &App) -> Result<Demo> {
    hugme_sample::create(app)
}

/// Gives every group of `class` a project, each further along than the one before, with
/// today's check-ins (`today`, `YYYY-MM-DD`) and one group asking for help: the teacher's
/// overview to look at (`hugme demo DIR --teacher`).
///
/// # Errors
/// The store's, when a document or picture cannot be stored.
pub fn fill_class(
    app: &App,
    class: &hugme_model::Class,
    today: &str,
) -> Result<Vec<hugme_model::ProjectId>> {
    hugme_sample::fill_class(app, class, today)
}

/// A data folder whose device is the teacher's device of a new class with `groups` (listed
/// in its roster as `hugme-node` lists the device that creates a class, without the class CA
/// that only the network side needs).
#[cfg(test)]
pub(crate) fn teacher_device(dir: &std::path::Path, groups: &[&str]) -> (App, hugme_model::Class) {
    let app = App::open(dir).unwrap();
    app.set_device("teacher-device").unwrap();
    let class = app.create_class_document("5B", groups).unwrap();
    let class = app
        .update_class(&class.id, |c| {
            c.devices.push(hugme_model::Device {
                id: hugme_model::DeviceId::from("teacher-device"),
                name: "teacher".into(),
                role: hugme_model::DeviceRole::Teacher,
                groups: Vec::new(),
                enrolled_at: 0,
                revoked: false,
                left_at: None,
                written_before_removal: Vec::new(),
            });
            Ok(c.clone())
        })
        .unwrap();
    (app, class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hugme_model::StepState;

    #[test]
    fn a_teachers_sample_class_has_every_group_at_its_own_step() {
        let dir = tempfile::tempdir().unwrap();
        let (app, class) = teacher_device(dir.path(), &GROUP_NAMES);
        let projects = fill_class(&app, &class, "2026-11-25").unwrap();
        assert_eq!(projects.len(), 8);
        let view = app.dashboard(class.id.as_str(), "2026-11-25").unwrap();
        let in_progress: Vec<usize> = view
            .groups
            .iter()
            .map(|g| {
                g.projects[0]
                    .steps
                    .iter()
                    .position(|s| *s == StepState::InProgress)
                    .unwrap()
            })
            .collect();
        assert_eq!(in_progress, [0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(
            view.groups
                .iter()
                .filter(|g| g.projects[0].hand_raised)
                .count(),
            1
        );
        assert!(view
            .groups
            .iter()
            .all(|g| g.projects[0].moods_today.len() == 1));
    }
}
