//! Templates: what a teacher hands a group to start from, and shares with other teachers.
//!
//! A template holds what the teacher sets up, never what pupils made: the phenomenon's title
//! and a word for the teacher, subjects, goals, research-question prompts, ideas of content to
//! make and starter pages' titles. It is made from the starter library
//! ([`crate::library`]) or from a project ([`Template::from_project`]: the teacher's goals, the
//! prompts and ideas the project was given, the subjects' names and pages' titles; a text that
//! names a pupil of the class is left out), applied to one group's project or every group's
//! ([`AppliedTemplate`] in the project keeps what pupils see in their steps), and saved as one
//! file.
//!
//! # The `.hugme-template` file, version 1
//! UTF-8 JSON, at most [`MAX_FILE_BYTES`]:
//! `{"format": "hugme-template", "version": 1, "template": {…}}` where the template has the
//! fields of [`Template`] (strings and lists of strings; `library_id` may be absent or null).
//! Unknown fields are refused, so a file is either understood whole or not at all. A file of a
//! later version is refused with that said (made by a newer app). Every text is at most
//! [`MAX_TEXT`] characters with no control characters, every list at most [`MAX_ITEMS`]
//! entries; nothing in a file is run or fetched: it is text that becomes text in projects.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The `format` field of a template file.
pub const FORMAT: &str = "hugme-template";
/// The version this app writes and reads.
pub const VERSION: u32 = 1;
/// The largest template file read (bytes): a template is a page of text.
pub const MAX_FILE_BYTES: usize = 64 * 1024;
/// The longest text in a template (characters).
pub const MAX_TEXT: usize = 500;
/// The most entries in one list of a template.
pub const MAX_ITEMS: usize = 20;

/// A template, as the file carries it and the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// What the teacher calls it ("Snow and ice, 2nd grade").
    pub name: String,
    /// The language its texts are in (one of [`crate::class::LANGUAGES`]).
    pub language: String,
    /// The phenomenon, as a group's step 2 title.
    pub phenomenon: String,
    /// A word for the teacher: what it is about, how to begin.
    pub summary: String,
    /// School subjects' names, as step 3 lists them.
    pub subjects: Vec<String>,
    /// Goals, added as the teacher's in step 4.
    pub goals: Vec<String>,
    /// Research-question prompts pupils see in step 5.
    pub prompts: Vec<String>,
    /// Ideas of content to make, shown in step 7.
    pub content_ideas: Vec<String>,
    /// Starter pages' titles, added empty in step 7.
    pub pages: Vec<String>,
    /// The starter library's phenomenon it came from, if any.
    #[serde(default)]
    #[ts(optional)]
    pub library_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: String,
    version: u32,
    template: Template,
}

/// Why a template file or a template is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template file is {size} bytes; a template is at most {max} bytes")]
    TooBig { size: usize, max: usize },
    #[error("this is not a Hug me! template file: {why}")]
    NotATemplate { why: String },
    #[error("the template was made by a newer Hug me! Studio (version {version}); update this app to open it")]
    Newer { version: u32 },
    #[error("the template's {field} is not valid: {why}")]
    Invalid { field: &'static str, why: String },
}

impl Template {
    /// Reads a template file's bytes, checked whole before anything uses it.
    ///
    /// # Errors
    /// [`TemplateError`]: too big (checked before parsing), not JSON or not a template, of a
    /// newer version, or a field over its limits.
    pub fn from_file(bytes: &[u8]) -> Result<Template, TemplateError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(TemplateError::TooBig {
                size: bytes.len(),
                max: MAX_FILE_BYTES,
            });
        }
        // The version first, so that a newer file is named as such, not as malformed.
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            version: Option<u32>,
        }
        let not = |why: String| TemplateError::NotATemplate { why };
        let head: Head = serde_json::from_slice(bytes).map_err(|e| not(e.to_string()))?;
        if head.format.as_deref() != Some(FORMAT) {
            return Err(not(format!("its format is not \"{FORMAT}\"")));
        }
        match head.version {
            Some(VERSION) => {}
            Some(version) if version > VERSION => return Err(TemplateError::Newer { version }),
            other => return Err(not(format!("unknown version {other:?}"))),
        }
        let file: File = serde_json::from_slice(bytes).map_err(|e| not(e.to_string()))?;
        file.template.check()?;
        Ok(file.template)
    }

    /// The template as a file (pretty JSON, so that a teacher can read it).
    ///
    /// # Errors
    /// As [`Template::check`].
    pub fn to_file(&self) -> Result<Vec<u8>, TemplateError> {
        self.check()?;
        let file = File {
            format: FORMAT.into(),
            version: VERSION,
            template: self.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file).expect("a template serialises");
        bytes.push(b'\n');
        if bytes.len() > MAX_FILE_BYTES {
            return Err(TemplateError::TooBig {
                size: bytes.len(),
                max: MAX_FILE_BYTES,
            });
        }
        Ok(bytes)
    }

    /// Checks every field against the format's limits.
    ///
    /// # Errors
    /// [`TemplateError::Invalid`] naming the first field that is not.
    pub fn check(&self) -> Result<(), TemplateError> {
        let text = |field: &'static str, value: &str, required: bool| {
            let invalid = |why: &str| TemplateError::Invalid {
                field,
                why: why.into(),
            };
            if required && value.trim().is_empty() {
                return Err(invalid("it is empty"));
            }
            if value.chars().count() > MAX_TEXT {
                return Err(invalid(&format!("over {MAX_TEXT} characters")));
            }
            if value.chars().any(char::is_control) {
                return Err(invalid("it has control characters"));
            }
            Ok(())
        };
        text("name", &self.name, true)?;
        text("phenomenon", &self.phenomenon, false)?;
        text("summary", &self.summary, false)?;
        if !crate::class::LANGUAGES.contains(&self.language.as_str()) {
            return Err(TemplateError::Invalid {
                field: "language",
                why: format!("\"{}\" is not one of the app's languages", self.language),
            });
        }
        if let Some(id) = &self.library_id {
            text("library_id", id, true)?;
        }
        for (field, list) in [
            ("subjects", &self.subjects),
            ("goals", &self.goals),
            ("prompts", &self.prompts),
            ("content_ideas", &self.content_ideas),
            ("pages", &self.pages),
        ] {
            if list.len() > MAX_ITEMS {
                return Err(TemplateError::Invalid {
                    field,
                    why: format!("over {MAX_ITEMS} entries"),
                });
            }
            for item in list {
                text(field, item, true)?;
            }
        }
        Ok(())
    }

    /// A template of what the teacher set up in `project`: its phenomenon's title, the
    /// subjects' names, the teacher's goals, the prompts and ideas it was given and its pages'
    /// titles. Never the pupils' answers, questions, goals, photos or check-ins; a text with a
    /// word beginning with one of `names` (the class's pupils, inflected too) is left out. Named `name`, its texts in `language`.
    pub fn from_project(
        project: &crate::Project,
        name: &str,
        language: &str,
        names: &[String],
    ) -> Template {
        let words = |text: &str| -> Vec<String> {
            text.to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let names: Vec<Vec<String>> = names
            .iter()
            .map(|n| words(n))
            .filter(|n| !n.is_empty())
            .collect();
        // A name is found where its words follow each other in the text, the last one as the
        // start of a word: Finnish and Estonian inflect names ("Veetin sivu", "Anna-Liisan
        // kuva"); leaving out too much is the safe side.
        let names_no_one = |text: &str| {
            let text = words(text);
            !names.iter().any(|name| {
                let (last, before) = name.split_last().expect("not empty");
                text.windows(name.len()).any(|w| {
                    w[..before.len()] == *before && w[before.len()].starts_with(last.as_str())
                })
            })
        };
        // Typed text may hold line breaks and other control characters, which a template's
        // texts may not: they become spaces.
        let clean_one = |t: &str| -> String {
            t.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(MAX_TEXT)
                .collect::<String>()
                .trim()
                .to_owned()
        };
        let clean = |items: Vec<String>| -> Vec<String> {
            items
                .into_iter()
                .map(|t| clean_one(&t))
                .filter(|t| !t.is_empty() && names_no_one(t))
                .take(MAX_ITEMS)
                .collect()
        };
        let applied = project.template.clone().unwrap_or_default();
        let phenomenon = project.phenomenon.title.as_str().trim().to_owned();
        // The name too (a phenomenon's title typed by pupils is the usual one): one naming a
        // pupil gives way to the template the project was given, else a plain word.
        let name = clean(vec![name.to_owned(), applied.name.clone()])
            .into_iter()
            .next()
            .unwrap_or_else(|| "Hug me!".to_owned());
        // Only an id of the starter library (a tablet writes the project document too).
        let library_id = applied.library_id.filter(|id| {
            crate::library::library("en")
                .phenomena
                .iter()
                .any(|p| &p.id == id)
        });
        Template {
            name,
            language: language.to_owned(),
            phenomenon: clean(vec![phenomenon]).pop().unwrap_or_default(),
            summary: clean(vec![applied.summary]).pop().unwrap_or_default(),
            subjects: clean(
                project
                    .subjects
                    .items
                    .iter()
                    .map(|s| s.name.clone())
                    .collect(),
            ),
            goals: clean(
                project
                    .goals
                    .items
                    .iter()
                    .filter(|g| g.set_by_teacher)
                    .map(|g| g.text.as_str().to_owned())
                    .collect(),
            ),
            prompts: clean(applied.prompts),
            content_ideas: clean(applied.content_ideas),
            pages: clean(
                project
                    .content
                    .pages
                    .iter()
                    .map(|p| p.title.as_str().to_owned())
                    .collect(),
            ),
            library_id,
        }
    }
}

/// What a project keeps of the template it was given: what pupils see in their steps (the
/// prompts in step 5, the ideas in step 7) and what the overview shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, autosurgeon::Reconcile, autosurgeon::Hydrate)]
pub struct AppliedTemplate {
    pub name: String,
    pub summary: String,
    pub prompts: Vec<String>,
    pub content_ideas: Vec<String>,
    pub library_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Template {
        Template {
            name: "Lumi ja jää".into(),
            language: "fi".into(),
            phenomenon: "Lumi ja jää".into(),
            summary: "Aloittakaa kävelyllä pihalla.".into(),
            subjects: vec!["Ympäristöoppi".into(), "Matematiikka".into()],
            goals: vec!["Selvitämme, miksi lumi sulaa.".into()],
            prompts: vec!["Miksi jää kelluu?".into()],
            content_ideas: vec!["Kuvia pihalta".into()],
            pages: vec!["Havainnot".into()],
            library_id: Some("snow-and-ice".into()),
        }
    }

    #[test]
    fn a_project_s_template_leaves_out_every_text_naming_a_pupil() {
        use crate::ids::{ClassId, GroupId};
        let mut p = crate::Project::new(ClassId::from("c"), GroupId::from("g"), "x", 0);
        p.phenomenon.title.update("Veetin metsäretki");
        for title in [
            "Anna-Liisan kuvat",
            "Mari Liisin leht",
            "Havainnot\nja mittaukset",
            "Annan sivu",
        ] {
            p.content.pages.push(crate::Page::new(title));
        }
        p.template = Some(AppliedTemplate {
            name: "Metsä ja me".into(),
            library_id: Some("not-in-the-library".into()),
            ..AppliedTemplate::default()
        });
        let names = ["Veeti", "Anna-Liisa", "Mari Liis", "Anna"].map(String::from);
        let t = Template::from_project(&p, "Veetin metsäretki", "fi", &names);
        assert_eq!(
            t.name, "Metsä ja me",
            "the name gives way to the template's"
        );
        assert_eq!(t.phenomenon, "");
        assert_eq!(t.pages, ["Havainnot ja mittaukset"]);
        assert_eq!(t.library_id, None);
        t.check().unwrap();
        // With nothing else to go by, a plain word.
        p.template = None;
        let t = Template::from_project(&p, "Veeti", "fi", &names);
        assert_eq!(t.name, "Hug me!");
    }

    #[test]
    fn a_template_round_trips_through_its_file() {
        let t = sample();
        let bytes = t.to_file().unwrap();
        assert_eq!(Template::from_file(&bytes).unwrap(), t);
        let mut without = t.clone();
        without.library_id = None;
        assert_eq!(
            Template::from_file(&without.to_file().unwrap()).unwrap(),
            without
        );
    }

    #[test]
    fn malformed_oversized_and_future_files_are_refused_clearly() {
        let good = String::from_utf8(sample().to_file().unwrap()).unwrap();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"not json".to_vec(), "not a Hug me! template"),
            (b"{}".to_vec(), "not a Hug me! template"),
            (
                good.replace("\"version\": 1", "\"version\": 2")
                    .into_bytes(),
                "newer Hug me! Studio (version 2)",
            ),
            (
                good.replace("\"hugme-template\"", "\"other\"").into_bytes(),
                "not a Hug me! template",
            ),
            (
                good.replace("\"pages\"", "\"script\": \"alert(1)\", \"pages\"")
                    .into_bytes(),
                "unknown field",
            ),
            (
                good.replace("Havainnot", &"x".repeat(MAX_TEXT + 1))
                    .into_bytes(),
                "pages is not valid",
            ),
            (
                good.replace("\"fi\"", "\"xx\"").into_bytes(),
                "language is not valid",
            ),
            (
                good.replace("Havainnot", "Havain\\u0000not").into_bytes(),
                "control characters",
            ),
            (vec![b' '; MAX_FILE_BYTES + 1], "at most 65536 bytes"),
        ];
        for (bytes, says) in cases {
            let err = Template::from_file(&bytes).unwrap_err().to_string();
            assert!(err.contains(says), "{says}: {err}");
        }
        let many = format!("[{}]", vec!["\"a\""; MAX_ITEMS + 1].join(","));
        let err = Template::from_file(
            good.replace("[\n      \"Havainnot\"\n    ]", &many)
                .as_bytes(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("over 20 entries"), "{err}");
    }
}
