//! The starter library shipped with the app: phenomena to start a project from, for ages 6–9,
//! 10–12 and 13–15 (subjects, goals, example research questions, content to make), and the
//! socio-emotional activities of the Hug me! way (check-in formats, role cards for a group of
//! four, starters for the group's agreement and for peer feedback).
//!
//! Written for this app, one JSON file per language in `crates/model/library/` (its README
//! gives the format), compiled in. Every language has the same entries, which a test checks.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::template::Template;

/// A phenomenon to start a project from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct LibraryPhenomenon {
    pub id: String,
    /// "6-9", "10-12" or "13-15".
    pub ages: String,
    pub title: String,
    /// For the teacher: what it is and how to begin.
    pub summary: String,
    /// Subject keys (the app's list: `finnish`, `maths`, `environment`, …).
    pub subjects: Vec<String>,
    pub goals: Vec<String>,
    pub questions: Vec<String>,
    pub content: Vec<String>,
}

/// A check-in format: how the group says how it feels today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CheckInFormat {
    pub id: String,
    pub title: String,
    pub how: String,
}

/// A role card for one of a group of four.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RoleCard {
    pub id: String,
    pub title: String,
    pub does: String,
}

/// A sentence start (for a rule of the agreement, or for peer feedback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Starter {
    pub id: String,
    pub text: String,
}

/// The whole library in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Library {
    pub phenomena: Vec<LibraryPhenomenon>,
    /// Subject key → its name in this language.
    pub subjects: BTreeMap<String, String>,
    pub check_ins: Vec<CheckInFormat>,
    pub roles: Vec<RoleCard>,
    pub agreement_starters: Vec<Starter>,
    pub feedback_starters: Vec<Starter>,
}

/// The library's files, by language.
const FILES: [(&str, &str); 5] = [
    ("fi", include_str!("../library/fi.json")),
    ("sv", include_str!("../library/sv.json")),
    ("en", include_str!("../library/en.json")),
    ("et", include_str!("../library/et.json")),
    ("nb", include_str!("../library/nb.json")),
];

/// The library in `language` (one of [`crate::class::LANGUAGES`]; another gets English).
pub fn library(language: &str) -> &'static Library {
    static PARSED: OnceLock<Vec<(&'static str, Library)>> = OnceLock::new();
    let all = PARSED.get_or_init(|| {
        FILES
            .iter()
            .map(|(lang, json)| {
                // Compiled in and tested: a broken file is a build of the app that is wrong.
                let library = serde_json::from_str(json)
                    .unwrap_or_else(|e| panic!("the {lang} starter library: {e}"));
                (*lang, library)
            })
            .collect()
    });
    let find = |l: &str| all.iter().find(|(lang, _)| *lang == l).map(|(_, lib)| lib);
    find(language)
        .or_else(|| find("en"))
        .expect("the English library is compiled in")
}

impl Library {
    /// A phenomenon of the library as a template in this library's language (`language`):
    /// its goals, its questions as prompts, its content ideas, its subjects by name.
    pub fn template(&self, id: &str, language: &str) -> Option<Template> {
        let p = self.phenomena.iter().find(|p| p.id == id)?;
        Some(Template {
            name: p.title.clone(),
            language: language.to_owned(),
            phenomenon: p.title.clone(),
            summary: p.summary.clone(),
            subjects: p
                .subjects
                .iter()
                .map(|key| {
                    self.subjects
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| key.clone())
                })
                .collect(),
            goals: p.goals.clone(),
            prompts: p.questions.clone(),
            content_ideas: p.content.clone(),
            pages: Vec::new(),
            library_id: Some(p.id.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything but the words: what must be the same in every language.
    fn shape(l: &Library) -> String {
        let phenomena: Vec<String> = l
            .phenomena
            .iter()
            .map(|p| {
                format!(
                    "{} {} {:?} {} {} {}",
                    p.id,
                    p.ages,
                    p.subjects,
                    p.goals.len(),
                    p.questions.len(),
                    p.content.len()
                )
            })
            .collect();
        let ids = |s: &[Starter]| s.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
        format!(
            "{phenomena:?} {:?} {:?} {:?} {:?} {:?}",
            l.subjects.keys().collect::<Vec<_>>(),
            l.check_ins.iter().map(|c| &c.id).collect::<Vec<_>>(),
            l.roles.iter().map(|r| &r.id).collect::<Vec<_>>(),
            ids(&l.agreement_starters),
            ids(&l.feedback_starters),
        )
    }

    #[test]
    fn every_entry_exists_in_every_language() {
        let english = shape(library("en"));
        for lang in crate::class::LANGUAGES {
            assert_eq!(shape(library(lang)), english, "{lang} differs from English");
        }
    }

    #[test]
    fn every_language_is_written_in_that_language() {
        let english = library("en");
        for lang in crate::class::LANGUAGES.into_iter().filter(|l| *l != "en") {
            let same = library(lang)
                .phenomena
                .iter()
                .zip(&english.phenomena)
                .filter(|(a, b)| a.summary == b.summary || a.goals == b.goals)
                .count();
            assert_eq!(same, 0, "{lang}: {same} phenomena still in English");
        }
    }

    #[test]
    fn the_library_is_what_a_teacher_was_promised() {
        for lang in crate::class::LANGUAGES {
            let l = library(lang);
            for ages in ["6-9", "10-12", "13-15"] {
                let n = l.phenomena.iter().filter(|p| p.ages == ages).count();
                assert!(n >= 4, "{lang}: {n} phenomena for ages {ages}");
            }
            assert!(l.phenomena.len() >= 12);
            assert_eq!(l.roles.len(), 4, "{lang}: a role card for each of four");
            assert!(!l.check_ins.is_empty() && !l.agreement_starters.is_empty());
            assert!(l.feedback_starters.len() >= 2);
            for p in &l.phenomena {
                assert!((2..=3).contains(&p.goals.len()), "{lang} {}", p.id);
                assert!(!p.questions.is_empty() && !p.content.is_empty());
                for key in &p.subjects {
                    assert!(l.subjects.contains_key(key), "{lang} {}: {key}", p.id);
                }
                // Every phenomenon makes a template a file can carry.
                let t = l.template(&p.id, lang).unwrap();
                Template::from_file(&t.to_file().unwrap()).unwrap();
            }
        }
    }
}
