//! Exports of a real data folder, checked as an LMS would take them: every cartridge
//! validates against the IMS schemas in `schemas/` (xmllint, offline, through the catalog),
//! every reference and file in its manifest resolves, and the HTML portfolio opens offline
//! in headless Chromium.

mod checks;
mod portfolio;

use std::path::{Path, PathBuf};

use hugme::App;
use hugme_model::{Comment, Pin, Step, Text};

/// A class of two groups (the sample class) with a photo, a pupil with a protected identity
/// and a teacher's review; returns (class id, a project id).
pub fn sample(dir: &Path) -> (String, String) {
    let app = App::open(dir).unwrap();
    let demo = hugme::demo::create(&app).unwrap();
    let project = demo.projects[0].clone();
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos/storm.jpg");
    let mut sink = Vec::new();
    let refused = hugme::media::import_files(&app, &project, &[photo], &mut sink).unwrap();
    assert_eq!(refused, 0);
    let group = app.project(&project).unwrap().value.group_id;
    app.update_class(&demo.class.id, |c| {
        let g = c.group_mut(&group).unwrap();
        g.members[0].protected_identity = true;
        Ok(())
    })
    .unwrap();
    app.update_review(&project, |r| {
        r.overall = Text::with_value(SECRET_FEEDBACK);
        r.comments.push(Comment {
            id: "c1".into(),
            pin: Pin::Step {
                step: Step::Phenomenon,
            },
            text: Text::with_value("Hyvä ilmiö!"),
            created_at: 0,
            resolved: false,
        });
        Ok(())
    })
    .unwrap();
    (demo.class.id.to_string(), project.to_string())
}

/// The teacher's overall comment: in an export only when asked for.
pub const SECRET_FEEDBACK: &str = "Kirjoittakaa vielä lähteet näkyviin.";

/// The name of the pupil marked "protected identity" in [`sample`].
pub fn protected_name(dir: &Path) -> String {
    let app = App::open(dir).unwrap();
    let class = app.classes().unwrap().remove(0);
    class
        .groups
        .iter()
        .flat_map(|g| &g.members)
        .find(|m| m.protected_identity)
        .map(|m| m.name.as_str().to_owned())
        .unwrap()
}

pub fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
}
