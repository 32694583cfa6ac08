//! What an LMS does to an export, done to ours: every page decoded once more (Moodle's
//! Common Cartridge converter runs `html_entity_decode` over the page before saving it, and
//! shows pages unfiltered: `backup/cc/entities.class.php`, `safexml`), titles read as course,
//! section and item names, and media that had not reached the teacher's device.

use std::collections::BTreeSet;
use std::path::Path;

use dom_query::Document;
use hugme_export::{Format, MediaKind, Scope};
use hugme_model::{
    Block, BlockId, BlockKind, Class, MediaRef, Project, ResearchQuestion, Review, Rule, Text,
};
use hugme_store::Store;

use crate::checks::unzip;
use crate::{change, export_as, sample};

/// Pupils' texts, hostile and ordinary: each must read the same on every page, and none may
/// become markup.
const CORPUS: &[&str] = &[
    "<script>alert('koulu')</script>",
    "<img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(2)",
    "' autofocus onfocus='alert(3)",
    "<b>lihava</b> ja <i>vino</i>",
    "&lt;script&gt;alert(4)&lt;/script&gt;",
    "&amp;lt;b&amp;gt; &#60;svg onload=alert(5)&#62;",
    "<!-- piilossa --> <![CDATA[x]]> <?php echo 1 ?>",
    "<a href=\"javascript:alert(6)\">linkki</a>",
    "<style>body{display:none}</style>",
    "Koirat <3",
    "5 < 6 & 7 > 2",
    "Jäätyvä järvi ❄️🧊 👩‍👩‍👧 e\u{301} Åsa",
    // Characters the exporter drops, hiding what follows a `<` or `&`.
    "<\u{1}img src=x onerror=alert(8)> <\u{FFFF}script>alert(9)</script> &\u{1}lt;",
];

/// Each element in document order: its name and its attributes' names. One more round of
/// decoding must leave this exactly as the exporter wrote it.
fn elements(html: &str) -> Vec<(String, BTreeSet<String>)> {
    let doc = Document::from(html);
    doc.select("*")
        .nodes()
        .iter()
        .map(|n| {
            let name = n.node_name().map(|t| t.to_string()).unwrap_or_default();
            let attrs = n.attrs().iter().map(|a| a.name.local.to_string()).collect();
            (name, attrs)
        })
        .collect()
}

/// What a person reads on the page (its body's text and the images' alt texts), with the
/// invisible word joiners taken out and spaces evened.
fn readable(html: &str) -> String {
    let doc = Document::from(html);
    let mut text = doc.select("body").text().to_string();
    for alt in doc.select("img").nodes() {
        if let Some(a) = alt.attr("alt") {
            text.push('\n');
            text.push_str(&a);
        }
    }
    text.replace('\u{2060}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` as a page shows it: spaces evened, and without the characters no page can hold
/// (control characters, U+FFFE, U+FFFF), which the exporter drops.
fn even(s: &str) -> String {
    let written: String = s
        .chars()
        .filter(|c| (!c.is_control() || c.is_whitespace()) && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        .collect();
    written.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Puts every text of the corpus into a project of the sample class: its title, phenomenon,
/// a question with notes, a rule, a content page's title, a text block and a photo's
/// caption, the group's and class's names and the teacher's feedback.
fn hostile_class(dir: &Path) -> (String, String) {
    let (class, project) = sample(dir);
    let store = Store::open(dir).unwrap();
    let mut group = None;
    change::<Project>(&store, &project, |p| {
        group = Some(p.group_id.clone());
        p.title = Text::with_value(CORPUS[0]);
        p.phenomenon.title = Text::with_value(CORPUS[1]);
        p.phenomenon.why = Text::with_value(CORPUS[2]);
        let mut q = ResearchQuestion::new(CORPUS[3]);
        q.notes = Text::with_value(CORPUS[4]);
        q.findings = Text::with_value(CORPUS[5]);
        p.research.questions.push(q);
        p.agreement.rules.push(Rule {
            id: "r-lms".into(),
            text: Text::with_value(CORPUS[6]),
        });
        p.sharing.reflection.learned = Text::with_value(CORPUS[13]);
        let page = &mut p.content.pages[0];
        page.title = Text::with_value(CORPUS[7]);
        page.blocks.push(Block {
            id: BlockId::random(),
            kind: BlockKind::Text {
                body: Text::with_value(CORPUS[8]),
            },
        });
        for b in &mut page.blocks {
            if let BlockKind::Photo { media } = &mut b.kind {
                media.caption = Text::with_value(CORPUS[2]);
            }
        }
    });
    let group = group.unwrap();
    change::<Class>(&store, &class, |c| {
        c.name = Text::with_value(CORPUS[10]);
        let g = c.group_mut(&group).unwrap();
        g.name = Text::with_value(CORPUS[11]);
        // A colour a pupil's tools wrote, to break out of the style attribute.
        g.colour = "red\" onclick=\"alert(7)".into();
    });
    change::<Review>(
        &store,
        &Review::document_id(&hugme_model::ProjectId::from(project.as_str())),
        |r| {
            r.overall = Text::with_value(CORPUS[9]);
            r.comments[0].text = Text::with_value(CORPUS[12]);
        },
    );
    store.flush().unwrap();
    (class, project)
}

#[test]
fn pupils_text_stays_text_after_one_more_round_of_entity_decoding() {
    let data = tempfile::tempdir().unwrap();
    let (class, _) = hostile_class(data.path());
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    for format in [Format::Cc11, Format::Cc13, Format::Html] {
        let path = out.path().join(format!("{format:?}.zip"));
        export_as(&store, &Scope::Class(class.clone()), format, true, &path);
        let mut read_on_pages = String::new();
        for (name, bytes) in unzip(&path) {
            if !name.ends_with(".html") {
                continue;
            }
            let page = String::from_utf8(bytes).unwrap();
            let decoded = htmlize::unescape(page.as_str()).into_owned();
            let written = elements(&page);
            assert!(
                written
                    .iter()
                    .all(|(e, a)| e != "script" && a.iter().all(|a| !a.starts_with("on"))),
                "{format:?} {name}: the exporter wrote a script or a handler"
            );
            assert_eq!(
                elements(&decoded),
                written,
                "{format:?} {name}: decoded once more, the page has elements or attributes \
                 the exporter did not write"
            );
            // A plain browser and the LMS read the same words.
            assert_eq!(readable(&decoded), readable(&page), "{format:?} {name}");
            read_on_pages.push_str(&readable(&page));
            read_on_pages.push('\n');
        }
        for typed in CORPUS {
            assert!(
                read_on_pages.contains(&even(typed)),
                "{format:?}: {typed:?} is not on any page as typed"
            );
        }
    }
}

/// Every title the manifest gives (course, sections, items), as the LMS reads it.
fn manifest_titles(path: &Path) -> Vec<String> {
    let files = unzip(path);
    let manifest = String::from_utf8(files[0].1.clone()).unwrap();
    let doc = roxmltree::Document::parse(&manifest).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("title"))
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .collect()
}

#[test]
fn titles_fit_every_lms_and_the_page_keeps_the_whole_title() {
    let data = tempfile::tempdir().unwrap();
    let (_, project) = sample(data.path());
    let store = Store::open(data.path()).unwrap();
    let long = format!(
        "Koirat <3 & \"kissat\": {}",
        "Jäätyvä järvi 🧊👩‍👩‍👧 ja e\u{301} ".repeat(16)
    );
    assert!(long.chars().count() > 400);
    change::<Project>(&store, &project, |p| p.title = Text::with_value(&long));
    store.flush().unwrap();
    let out = tempfile::tempdir().unwrap();
    for format in [Format::Cc11, Format::Cc13] {
        let path = out.path().join(format!("{format:?}.imscc"));
        export_as(
            &store,
            &Scope::Project(project.clone()),
            format,
            false,
            &path,
        );
        let titles = manifest_titles(&path);
        assert!(titles.len() >= 4, "{titles:?}");
        for t in &titles {
            assert!(
                t.chars().count() <= 255,
                "{} characters: {t}",
                t.chars().count()
            );
            assert!(!t.contains(['<', '>', '&', '"']), "markup in {t:?}");
        }
        let cut = titles
            .iter()
            .find(|t| t.ends_with('…') && t.contains("Koirat ‹3 + ”kissat”"))
            .expect("the project's title, cut with an ellipsis");
        assert!(cut.chars().count() >= 250, "{cut}");
        let page = unzip(&path)
            .into_iter()
            .find(|(n, _)| n.ends_with(".html") && !n.contains("about"))
            .unwrap();
        let page = String::from_utf8(page.1).unwrap();
        let h1 = Document::from(page.as_str())
            .select("h1")
            .text()
            .replace('\u{2060}', "");
        assert_eq!(h1.trim(), long.trim(), "the page keeps the whole title");
    }
}

#[test]
fn media_not_on_this_device_leaves_a_note_on_the_page_and_in_the_summary() {
    let data = tempfile::tempdir().unwrap();
    let (class, project) = sample(data.path());
    let store = Store::open(data.path()).unwrap();
    // A video still syncing (never indexed here), and a photo whose file is gone though its
    // row is there (what made the export fail: "blob … is missing from …").
    let gone = store.put_blob(b"a drawing whose file went away").unwrap();
    std::fs::remove_file(store.blob_path(&gone.hash).unwrap()).unwrap();
    let media = |hash: &str, mime: &str| MediaRef {
        hash: hash.into(),
        mime: mime.into(),
        size: 1_000,
        width: None,
        height: None,
        caption: Text::with_value("Jäällä"),
        thumbnail: None,
        preview: None,
    };
    let unsynced = "ab".repeat(32);
    change::<Project>(&store, &project, |p| {
        let blocks = &mut p.content.pages[0].blocks;
        blocks.push(Block {
            id: BlockId::random(),
            kind: BlockKind::Video {
                media: media(&unsynced, "video/mp4"),
            },
        });
        blocks.push(Block {
            id: BlockId::random(),
            kind: BlockKind::Drawing {
                media: media(&gone.hash, "image/png"),
            },
        });
    });
    store.flush().unwrap();
    let out = tempfile::tempdir().unwrap();
    for format in [Format::Cc11, Format::Cc13, Format::Html] {
        let path = out.path().join(format!("{format:?}.zip"));
        let summary = export_as(&store, &Scope::Class(class.clone()), format, false, &path);
        let kinds: Vec<MediaKind> = summary.missing.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MediaKind::Video, MediaKind::Drawing], "{format:?}");
        assert!(summary.missing.iter().all(|m| !m.project.is_empty()));
        let files = unzip(&path);
        let page = files
            .iter()
            .filter(|(n, _)| n.ends_with(".html"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .find(|p| p.contains("Jäällä"))
            .expect("the project's page");
        let doc = Document::from(page.as_str());
        assert_eq!(
            doc.select(".missing").length(),
            2,
            "{format:?}: a note for each"
        );
        assert_eq!(
            doc.select("video").length(),
            0,
            "{format:?}: no broken player"
        );
        // The photo that is here is still in the export.
        assert!(files.iter().any(|(n, _)| n.ends_with(".jpg")), "{format:?}");
    }
}
