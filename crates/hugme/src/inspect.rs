//! `hugme inspect`: what a data folder holds, as text for people and as stable JSON for scripts.
//!
//! The JSON shape is versioned by its `format` field (`hugme-inspect/1`) and documented in
//! `docs/inspect-json.md`; fields are only ever added within one format version.

use hugme_model::{Block, Class, Project, Step};
use serde::Serialize;

use hugme_app::{App, Result};

/// The format name and version of the JSON.
pub const FORMAT: &str = "hugme-inspect/1";

/// Everything `hugme inspect` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    pub format: &'static str,
    pub store: StoreReport,
    pub classes: Vec<ClassReport>,
    pub projects: Vec<ProjectReport>,
    /// Documents that could not be read, with the reason; the rest is still reported.
    pub errors: Vec<DocumentError>,
}

#[derive(Debug, Serialize)]
pub struct StoreReport {
    pub schema_version: i64,
    pub documents: usize,
    pub blobs: usize,
    pub blob_bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct ClassReport {
    pub id: String,
    pub name: String,
    pub groups: Vec<GroupReport>,
    pub devices: usize,
}

#[derive(Debug, Serialize)]
pub struct GroupReport {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ProjectReport {
    pub id: String,
    pub class_id: String,
    pub group_id: String,
    pub group_name: Option<String>,
    pub title: String,
    pub read_only: bool,
    pub steps: Vec<StepReport>,
    pub phenomenon: PhenomenonReport,
    pub research_questions: Vec<QuestionReport>,
    pub pages: Vec<PageReport>,
    pub approval: Option<hugme_model::Approval>,
    pub storage: StorageReport,
}

#[derive(Debug, Serialize)]
pub struct StepReport {
    pub step: Step,
    pub state: hugme_model::StepState,
}

#[derive(Debug, Serialize)]
pub struct PhenomenonReport {
    pub title: String,
    pub why: String,
}

#[derive(Debug, Serialize)]
pub struct QuestionReport {
    pub id: String,
    pub question: String,
    pub notes: String,
    pub sources: Vec<String>,
    pub findings: String,
}

#[derive(Debug, Serialize)]
pub struct PageReport {
    pub id: String,
    pub title: String,
    pub blocks: Vec<BlockReport>,
}

#[derive(Debug, Serialize)]
pub struct BlockReport {
    pub id: String,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaReport>,
}

#[derive(Debug, Serialize)]
pub struct MediaReport {
    pub hash: String,
    pub mime: String,
    pub size: u64,
    pub caption: String,
    /// Whether the blob is in this folder (it may still be on its way from a peer).
    pub stored: bool,
}

#[derive(Debug, Serialize)]
pub struct StorageReport {
    pub snapshot_bytes: u64,
    pub log_bytes: u64,
    pub changes: u64,
}

#[derive(Debug, Serialize)]
pub struct DocumentError {
    pub document: String,
    pub error: String,
}

/// Builds the report of a data folder.
pub fn report(app: &App) -> Result<Report> {
    let store = app.store();
    let documents = store.documents()?;
    let blobs = store.blobs()?;
    let mut errors = Vec::new();
    let mut classes: Vec<Class> = Vec::new();
    let mut projects = Vec::new();
    for info in &documents {
        let outcome = match info.kind.as_str() {
            "class" => app.read::<Class>(&info.id).map(|c| classes.push(c.value)),
            "project" => app
                .read::<Project>(&info.id)
                .map(|p| projects.push((p, info))),
            _ => Ok(()),
        };
        if let Err(e) = outcome {
            errors.push(DocumentError {
                document: info.id.clone(),
                error: e.to_string(),
            });
        }
    }
    let group_name = |p: &Project| {
        classes
            .iter()
            .find_map(|c| c.group(&p.group_id))
            .map(|g| g.name.as_str().to_owned())
    };
    let projects = projects
        .into_iter()
        .map(|(opened, info)| {
            let p = opened.value;
            let approval = app.review(&p.id).ok().flatten().map(|r| r.approval);
            ProjectReport {
                id: p.id.to_string(),
                class_id: p.class_id.to_string(),
                group_id: p.group_id.to_string(),
                group_name: group_name(&p),
                title: p.title.as_str().to_owned(),
                read_only: opened.read_only,
                steps: Step::ALL
                    .iter()
                    .map(|&step| StepReport {
                        step,
                        state: p.step_state(step),
                    })
                    .collect(),
                phenomenon: PhenomenonReport {
                    title: p.phenomenon.title.as_str().to_owned(),
                    why: p.phenomenon.why.as_str().to_owned(),
                },
                research_questions: p
                    .research
                    .questions
                    .iter()
                    .map(|q| QuestionReport {
                        id: q.id.to_string(),
                        question: q.question.as_str().to_owned(),
                        notes: q.notes.as_str().to_owned(),
                        sources: q
                            .sources
                            .iter()
                            .map(|s| s.text.as_str().to_owned())
                            .collect(),
                        findings: q.findings.as_str().to_owned(),
                    })
                    .collect(),
                pages: p
                    .content
                    .pages
                    .iter()
                    .map(|page| PageReport {
                        id: page.id.to_string(),
                        title: page.title.as_str().to_owned(),
                        blocks: page.blocks.iter().map(|b| block_report(app, b)).collect(),
                    })
                    .collect(),
                approval,
                storage: StorageReport {
                    snapshot_bytes: info.snapshot_bytes,
                    log_bytes: info.log_bytes,
                    changes: info.changes,
                },
            }
        })
        .collect();
    Ok(Report {
        format: FORMAT,
        store: StoreReport {
            schema_version: hugme_store::supported_version(),
            documents: documents.len(),
            blobs: blobs.len(),
            blob_bytes: blobs.iter().map(|b| b.size).sum(),
        },
        classes: classes
            .iter()
            .map(|c| ClassReport {
                id: c.id.to_string(),
                name: c.name.as_str().to_owned(),
                groups: c
                    .groups
                    .iter()
                    .map(|g| GroupReport {
                        id: g.id.to_string(),
                        name: g.name.as_str().to_owned(),
                        members: g
                            .members
                            .iter()
                            .map(|m| m.name.as_str().to_owned())
                            .collect(),
                    })
                    .collect(),
                devices: c.devices.len(),
            })
            .collect(),
        projects,
        errors,
    })
}

fn block_report(app: &App, block: &Block) -> BlockReport {
    let text = match &block.kind {
        hugme_model::BlockKind::Text { body } => Some(body.as_str().to_owned()),
        _ => None,
    };
    let media = block.media().map(|m| MediaReport {
        hash: m.hash.clone(),
        mime: m.mime.clone(),
        size: m.size,
        caption: m.caption.as_str().to_owned(),
        stored: app.store().has_blob(&m.hash).unwrap_or(false),
    });
    BlockReport {
        id: block.id.to_string(),
        kind: block.kind_name(),
        text,
        media,
    }
}

/// The report as text for a person at a terminal.
pub fn to_text(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let s = &report.store;
    let _ = writeln!(
        out,
        "store: schema {}, {} documents, {} blobs ({} bytes)",
        s.schema_version, s.documents, s.blobs, s.blob_bytes
    );
    for c in &report.classes {
        let _ = writeln!(out, "class {} ({}), {} devices", c.name, c.id, c.devices);
        for g in &c.groups {
            let _ = writeln!(out, "  group {}: {}", g.name, g.members.join(", "));
        }
    }
    for p in &report.projects {
        let group = p.group_name.as_deref().unwrap_or("?");
        let ro = if p.read_only {
            " [read-only: newer schema]"
        } else {
            ""
        };
        let _ = writeln!(out, "project {:?} of group {group} ({}){ro}", p.title, p.id);
        let steps: Vec<String> = p
            .steps
            .iter()
            .map(|st| format!("{}={}", st.step, state_name(st.state)))
            .collect();
        let _ = writeln!(out, "  steps: {}", steps.join(" "));
        if !p.phenomenon.title.is_empty() {
            let _ = writeln!(out, "  phenomenon: {}", p.phenomenon.title);
        }
        for q in &p.research_questions {
            let _ = writeln!(
                out,
                "  question: {} ({} sources)",
                q.question,
                q.sources.len()
            );
        }
        for page in &p.pages {
            let _ = writeln!(out, "  page {:?}: {} blocks", page.title, page.blocks.len());
            for b in &page.blocks {
                if let Some(m) = &b.media {
                    let missing = if m.stored { "" } else { " (not here yet)" };
                    let _ = writeln!(
                        out,
                        "    {} {} {} {} bytes{missing}",
                        b.kind, m.hash, m.mime, m.size
                    );
                }
            }
        }
        let st = &p.storage;
        let _ = writeln!(
            out,
            "  storage: snapshot {} bytes, log {} bytes in {} changes",
            st.snapshot_bytes, st.log_bytes, st.changes
        );
    }
    for e in &report.errors {
        let _ = writeln!(out, "error in {}: {}", e.document, e.error);
    }
    out
}

fn state_name(state: hugme_model::StepState) -> &'static str {
    match state {
        hugme_model::StepState::NotStarted => "not-started",
        hugme_model::StepState::InProgress => "in-progress",
        hugme_model::StepState::Done => "done",
    }
}
