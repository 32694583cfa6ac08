//! Templates on the teacher's device: the starter library, a template applied to one group's
//! project or every group's, a template made of a project, and template files.
//!
//! Applying adds and never takes away: the phenomenon's title where the group has none yet,
//! subjects, goals (as the teacher's) and starter pages the project does not have, and the
//! prompts and ideas pupils then see in steps 5 and 7 ([`hugme_model::AppliedTemplate`]).
//! A group with no project yet gets one, named by the phenomenon, ready when it starts.

use std::path::{Path, PathBuf};

use hugme_model::library::{library, Library};
use hugme_model::{AppliedTemplate, Class, Goal, Page, Project, Subject, Template, Text};

use crate::error::{Error, Result};
use crate::App;

impl App {
    /// The starter library in `language` (another than the app's five gets English).
    pub fn starter_library(&self, language: &str) -> Library {
        library(hugme_model::class::language_of(language).unwrap_or("en")).clone()
    }

    /// A phenomenon of the starter library as a template, in `language`.
    ///
    /// # Errors
    /// [`Error::NoSuchTemplate`] for an id the library does not have.
    pub fn library_template(&self, id: &str, language: &str) -> Result<Template> {
        let language = hugme_model::class::language_of(language).unwrap_or("en");
        library(language)
            .template(id, language)
            .ok_or_else(|| Error::NoSuchTemplate(id.to_owned()))
    }

    /// Applies `template` to the projects of `group` of `class`, or of every group when
    /// `group` is `None`. Teachers only. Returns how many projects got it.
    ///
    /// # Errors
    /// Not a teacher's device, no such class or group, a template over its limits, a store
    /// error.
    pub fn apply_template(
        &self,
        class: &str,
        template: &Template,
        group: Option<&str>,
    ) -> Result<usize> {
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        template.check()?;
        let class = self.read::<Class>(class)?.value;
        let groups: Vec<_> = class
            .groups
            .iter()
            .filter(|g| group.is_none_or(|id| g.id.as_str() == id))
            .map(|g| g.id.clone())
            .collect();
        if let Some(id) = group.filter(|_| groups.is_empty()) {
            return Err(Error::NoSuchGroup {
                class: class.id.to_string(),
                group: id.to_owned(),
            });
        }
        let projects = self.projects()?;
        let mut applied = 0;
        for group in &groups {
            let mut ids: Vec<_> = projects
                .iter()
                .filter(|p| p.value.class_id == class.id && &p.value.group_id == group)
                .map(|p| p.value.id.clone())
                .collect();
            if ids.is_empty() {
                let title = if template.phenomenon.is_empty() {
                    &template.name
                } else {
                    &template.phenomenon
                };
                ids.push(self.create_project(&class.id, group, title)?);
            }
            for id in ids {
                self.update_project(&id, |p| {
                    apply(p, template);
                    Ok(())
                })?;
                applied += 1;
            }
        }
        Ok(applied)
    }

    /// A template of what the teacher set up in `project` ([`Template::from_project`]: no
    /// pupil's work, and no text naming a pupil of the class), named `name`. Teachers only.
    ///
    /// # Errors
    /// Not a teacher's device, no such project, an empty name.
    pub fn template_of_project(&self, project: &str, name: &str) -> Result<Template> {
        if !self.is_teacher()? {
            return Err(Error::NotTeacher);
        }
        let p = self.read::<Project>(project)?.value;
        let class = self.read::<Class>(p.class_id.as_str())?.value;
        let mut names: Vec<String> = class
            .groups
            .iter()
            .flat_map(|g| g.members.iter().map(|m| m.name.as_str().to_owned()))
            .collect();
        // Protected names too; a group's names that cannot be read stop the template (it
        // could not be filtered of them).
        for group in &class.groups {
            if let Some(found) = self.protected_names(&group.id)? {
                names.extend(found.names.iter().map(|n| n.name.as_str().to_owned()));
            }
        }
        let template = Template::from_project(&p, name, &class.settings.language, &names);
        template.check()?;
        Ok(template)
    }

    /// Writes `template` as `<name>.hugme-template` into `folder` (made if needed), next to
    /// the exports; returns the file's path. A file of that name is not overwritten: the new
    /// one gets a number.
    ///
    /// # Errors
    /// A template over its limits, a write error (a full disk among them).
    pub fn save_template(&self, template: &Template, folder: &Path) -> Result<PathBuf> {
        let bytes = template.to_file()?;
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        let stem: String = template
            .name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == ' ' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .take(60)
            .collect();
        let stem = stem.trim();
        let stem = if stem.is_empty() { "template" } else { stem };
        for n in 1..1000 {
            let name = if n == 1 {
                format!("{stem}.hugme-template")
            } else {
                format!("{stem} ({n}).hugme-template")
            };
            let path = folder.join(name);
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    use std::io::Write;
                    let written = file.write_all(&bytes).and_then(|()| file.sync_all());
                    if let Err(e) = written {
                        // Nothing half-written stays.
                        let _ = std::fs::remove_file(&path);
                        return Err(Error::io(&path, e));
                    }
                    return Ok(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        Err(Error::io(
            folder,
            std::io::Error::other("too many templates of that name"),
        ))
    }

    /// Reads a template file (at most [`hugme_model::template::MAX_FILE_BYTES`], checked
    /// before it is read whole).
    ///
    /// # Errors
    /// A read error; [`hugme_model::TemplateError`] for a file that is not a valid template.
    pub fn read_template_file(path: &Path) -> Result<Template> {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut bytes = Vec::new();
        file.take(hugme_model::template::MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        Ok(Template::from_file(&bytes)?)
    }
}

/// What applying `template` does to one project.
fn apply(p: &mut Project, template: &Template) {
    if p.phenomenon.title.as_str().trim().is_empty() && !template.phenomenon.is_empty() {
        p.phenomenon.title.update(template.phenomenon.as_str());
    }
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    for name in &template.subjects {
        if !p.subjects.items.iter().any(|s| same(&s.name, name)) {
            p.subjects.items.push(Subject {
                id: uuid::Uuid::new_v4().to_string(),
                name: name.clone(),
                how: Text::with_value(""),
            });
        }
    }
    for goal in &template.goals {
        if !p.goals.items.iter().any(|g| same(g.text.as_str(), goal)) {
            p.goals.items.push(Goal {
                id: uuid::Uuid::new_v4().to_string(),
                text: Text::with_value(goal),
                set_by_teacher: true,
                reached: false,
            });
        }
    }
    for title in &template.pages {
        if !p
            .content
            .pages
            .iter()
            .any(|page| same(page.title.as_str(), title))
        {
            p.content.pages.push(Page::new(title));
        }
    }
    p.template = Some(AppliedTemplate {
        name: template.name.clone(),
        summary: template.summary.clone(),
        prompts: template.prompts.clone(),
        content_ideas: template.content_ideas.clone(),
        library_id: template.library_id.clone(),
    });
}

#[cfg(test)]
#[path = "templates_tests.rs"]
mod tests;
