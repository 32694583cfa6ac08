//! Cartridges: schema-valid, every identifierref and file href resolves, what must stay out
//! stays out, and a cancelled export leaves nothing.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use hugme_export::{export, Error, Format, Options, Progress, Scope};
use hugme_store::Store;

use crate::{protected_name, sample, schemas, SECRET_FEEDBACK};

/// Every file of a zip, by name.
pub fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().expect("a file name").into_owned(), bytes)
        })
        .collect()
}

fn ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Checks one cartridge as an LMS importer would; returns the manifest.
fn check_cartridge(path: &Path, version: &str) -> String {
    let files = unzip(path);
    assert_eq!(
        files[0].0, "imsmanifest.xml",
        "the manifest is not the first entry"
    );
    let manifest = String::from_utf8(files[0].1.clone()).unwrap();
    let ns = format!("xmlns=\"http://www.imsglobal.org/xsd/imscc{version}/imscp_v1p1\"");
    let at = manifest.find(&ns).expect("no default namespace");
    assert!(
        at + ns.len() <= 500,
        "the default xmlns ends at byte {}: Moodle reads only 500",
        at + ns.len()
    );

    // The schema, offline, through the repository's own catalog.
    let dir = tempfile::tempdir().unwrap();
    let manifest_path = dir.path().join("imsmanifest.xml");
    std::fs::write(&manifest_path, &manifest).unwrap();
    let folder = if version == "v1p1" { "cc11" } else { "cc13" };
    let xsd = schemas()
        .join(folder)
        .join(format!("cc{version}_imscp_v1p2_v1p0.xsd"));
    let lint = Command::new("xmllint")
        .args(["--nonet", "--noout", "--schema"])
        .arg(&xsd)
        .arg(&manifest_path)
        .env("XML_CATALOG_FILES", schemas().join("catalog.xml"))
        .output()
        .expect("xmllint is not installed (apt-get install libxml2-utils)");
    assert!(
        lint.status.success(),
        "{} is not valid CC {version}:\n{}",
        path.display(),
        String::from_utf8_lossy(&lint.stderr)
    );

    // References and files.
    let doc = roxmltree::Document::parse(&manifest).unwrap();
    let names: HashSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut ids = HashSet::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        if let Some(id) = node.attribute("identifier") {
            assert!(ncname(id), "{id:?} is not an xs:ID");
            assert!(ids.insert(id.to_owned()), "identifier {id} is used twice");
        }
    }
    let resources: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("resource"))
        .collect();
    assert!(!resources.is_empty());
    for r in &resources {
        let listed: Vec<&str> = r
            .children()
            .filter(|c| c.has_tag_name("file"))
            .map(|f| f.attribute("href").unwrap())
            .collect();
        for href in &listed {
            assert!(names.contains(href), "{href} is listed but not in the zip");
        }
        let href = r.attribute("href").unwrap();
        assert!(
            listed.contains(&href),
            "the resource's href {href} is not one of its files"
        );
    }
    let resource_ids: HashSet<&str> = resources
        .iter()
        .map(|r| r.attribute("identifier").unwrap())
        .collect();
    let refs: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("identifierref"))
        .collect();
    let pages = resources
        .iter()
        .filter(|r| r.attribute("href").unwrap().ends_with(".html"))
        .count();
    assert_eq!(refs.len(), pages, "an item per page");
    for r in refs {
        assert!(
            resource_ids.contains(r),
            "identifierref {r} names no resource"
        );
    }
    // The first top-level item holds the page of what the export holds (Moodle's section 0);
    // each group's follows. None has a resource of its own: a top-level item is a module
    // (Canvas) or a section whose summary is its title (Moodle).
    let root = doc
        .descendants()
        .find(|n| n.attribute("identifier") == Some("root"))
        .unwrap();
    let top: Vec<_> = root.children().filter(|c| c.has_tag_name("item")).collect();
    assert!(top.iter().all(|m| m.attribute("identifierref").is_none()));
    let about = top[0]
        .children()
        .find(|c| c.has_tag_name("item"))
        .expect("the about page inside the first module");
    assert_eq!(about.attribute("identifierref"), Some("r-about"));
    // Every page's images and media are in the zip: next to the page in 1.1 (a plain relative
    // path, the only one Moodle attaches), under `web_resources/` as `$IMS-CC-FILEBASE$/…` in
    // 1.3 (what Canvas resolves), with pages in `wiki_content/` (Canvas's pages).
    const BASE: &str = "$IMS-CC-FILEBASE$/";
    for (name, bytes) in &files {
        if !name.ends_with(".html") {
            continue;
        }
        if version == "v1p3" {
            assert!(name.starts_with("wiki_content/"), "{name}");
        }
        let page = String::from_utf8_lossy(bytes);
        let folder = &name[..name.rfind('/').map_or(0, |i| i + 1)];
        for src in page
            .split("src=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            let file = match (version, src.strip_prefix(BASE)) {
                ("v1p3", Some(rest)) => format!("web_resources/{rest}"),
                ("v1p3", None) => panic!("{name} refers to {src} not as Canvas resolves it"),
                (_, Some(_)) => panic!("{name} refers to {src}: Moodle attaches no such file"),
                (_, None) => format!("{folder}{src}"),
            };
            assert!(
                names.contains(file.as_str()),
                "{name} shows {src}, which is not in the zip"
            );
        }
    }
    manifest
}

fn text_of(path: &Path) -> String {
    unzip(path)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".html") || n.ends_with(".xml"))
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn class_cartridges_validate_and_resolve() {
    let data = tempfile::tempdir().unwrap();
    let (class, _) = sample(data.path());
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    for (format, version) in [(Format::Cc11, "v1p1"), (Format::Cc13, "v1p3")] {
        let path = out.path().join(format!("class-{version}.imscc"));
        let options = Options {
            format,
            include_feedback: false,
        };
        let summary = export(
            &store,
            &Scope::Class(class.clone()),
            &options,
            &path,
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(summary.projects, 2);
        let manifest = check_cartridge(&path, version);
        // A module per group.
        assert_eq!(manifest.matches("<item identifier=\"g-").count(), 2);
    }
}

#[test]
fn one_project_as_a_cartridge() {
    let data = tempfile::tempdir().unwrap();
    let (_, project) = sample(data.path());
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("one.imscc");
    let options = Options {
        format: Format::Cc13,
        include_feedback: true,
    };
    let summary = export(
        &store,
        &Scope::Project(project),
        &options,
        &path,
        &Progress::default(),
    )
    .unwrap();
    assert_eq!(summary.projects, 1);
    check_cartridge(&path, "v1p3");
    // With the photo: stored, byte for byte.
    let photo =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos/storm.jpg"))
            .unwrap();
    let stored = unzip(&path)
        .into_iter()
        .find(|(n, _)| n.ends_with(".jpg"))
        .expect("no photo in the cartridge");
    assert!(
        stored.1.starts_with(&[0xff, 0xd8])
            && stored.1.len() > 10_000
            && stored.1.len() <= photo.len()
    );
}

#[test]
fn feedback_only_when_asked_and_protected_pupils_by_group_name() {
    let data = tempfile::tempdir().unwrap();
    let (class, _) = sample(data.path());
    let hidden = protected_name(data.path());
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    for include_feedback in [false, true] {
        for format in [Format::Cc11, Format::Html] {
            let path = out
                .path()
                .join(format!("{include_feedback}-{format:?}.zip"));
            let options = Options {
                format,
                include_feedback,
            };
            export(
                &store,
                &Scope::Class(class.clone()),
                &options,
                &path,
                &Progress::default(),
            )
            .unwrap();
            let text = text_of(&path);
            assert_eq!(
                text.contains(SECRET_FEEDBACK),
                include_feedback,
                "{format:?}, feedback {include_feedback}"
            );
            assert!(
                !text.contains(&hidden),
                "{hidden} appears in the {format:?} export"
            );
        }
    }
}

#[test]
fn a_cancelled_export_leaves_nothing_and_a_missing_project_is_named() {
    let data = tempfile::tempdir().unwrap();
    let (class, _) = sample(data.path());
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("cancelled.imscc");
    let progress = Progress::default();
    progress.cancel();
    let options = Options {
        format: Format::Cc11,
        include_feedback: false,
    };
    let err = export(&store, &Scope::Class(class), &options, &path, &progress).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "something was left behind"
    );
    let err = export(
        &store,
        &Scope::Project("nope".into()),
        &options,
        &path,
        &Progress::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}
