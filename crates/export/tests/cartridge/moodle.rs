//! The Moodle course backup (`.mbz`): what Moodle's restore reads, checked as its restore
//! would: every XML file well-formed, a section per group named by it after section 0, each
//! project a page in its group's section, every file its page refers to listed in
//! `files.xml` under the SHA-1 of its bytes, and nothing of the protected pupil or the
//! teacher's feedback unless asked. (A real Moodle restores it: `scripts/lms-check`.)

use std::collections::HashMap;

use hugme_export::{Format, Scope};
use hugme_store::Store;
use sha1::{Digest, Sha1};

use crate::checks::unzip;
use crate::{export_as, protected_name, sample, SECRET_FEEDBACK};

fn sha1_hex(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_class_restores_as_a_course_with_a_section_per_group() {
    let data = tempfile::tempdir().unwrap();
    let (class, _) = sample(data.path());
    let protected = protected_name(data.path());
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("class.mbz");
    let summary = export_as(
        &store,
        &Scope::Class(class),
        Format::MoodleBackup,
        false,
        &path,
    );
    assert_eq!(summary.projects, 2);
    let files: HashMap<String, Vec<u8>> = unzip(&path).into_iter().collect();
    let text = |name: &str| {
        String::from_utf8(
            files
                .get(name)
                .unwrap_or_else(|| panic!("{name} is missing"))
                .clone(),
        )
        .unwrap()
    };
    for (name, bytes) in &files {
        if name.ends_with(".xml") {
            let body = String::from_utf8(bytes.clone()).unwrap();
            roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                !body.contains(&protected),
                "{name} names the protected pupil"
            );
            assert!(
                !body.contains(SECRET_FEEDBACK),
                "{name} has feedback not asked for"
            );
        }
    }
    let backup = text("moodle_backup.xml");
    let doc = roxmltree::Document::parse(&backup).unwrap();
    let dirs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("directory"))
        .filter_map(|n| n.text())
        .collect();
    for dir in &dirs {
        if *dir != "course" {
            assert!(
                files.keys().any(|f| f.starts_with(&format!("{dir}/"))),
                "{dir}"
            );
        }
    }
    // Section 0 (what the export holds), then the two groups, named by them.
    let mut named = Vec::new();
    for n in 1..=3 {
        let section = text(&format!("sections/section_{n}/section.xml"));
        let doc = roxmltree::Document::parse(&section).unwrap();
        let field = |tag: &str| {
            doc.descendants()
                .find(|x| x.has_tag_name(tag))
                .and_then(|x| x.text())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(field("number"), (n - 1).to_string());
        named.push(field("name"));
        assert!(!field("sequence").is_empty(), "section {n} holds a page");
    }
    assert_eq!(named[0], "$@NULL@$", "section 0 keeps Moodle's own name");
    let groups: Vec<String> = crate::class_of(&store)
        .groups
        .iter()
        .map(|g| g.name.as_str().to_owned())
        .collect();
    assert_eq!(named[1..], groups[..]);
    // Every file a page refers to is attached to it, under the SHA-1 of its bytes.
    let listed = roxmltree::Document::parse(&text("files.xml"))
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("file"))
        .count();
    assert!(listed >= 1, "the photo is attached");
    for (name, bytes) in files.iter().filter(|(n, _)| n.starts_with("files/")) {
        assert_eq!(name.rsplit('/').next().unwrap(), sha1_hex(bytes), "{name}");
    }
    let pages: Vec<&String> = files.keys().filter(|f| f.ends_with("/page.xml")).collect();
    assert_eq!(pages.len(), 3, "the first page and a page per project");
    let manifest = text("files.xml");
    for page in pages {
        let body = text(page);
        let doc = roxmltree::Document::parse(&body).unwrap();
        let content = doc
            .descendants()
            .find(|n| n.has_tag_name("content"))
            .and_then(|n| n.text())
            .unwrap_or_default()
            .to_owned();
        for reference in content.split("@@PLUGINFILE@@/media/").skip(1) {
            let file = reference.split('"').next().unwrap();
            assert!(
                manifest.contains(&format!("<filename>{file}</filename>")),
                "{file}"
            );
        }
    }
}
