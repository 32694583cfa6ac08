//! The `hugme` command line: demo, inspect, and a small editing surface for scripts and tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use hugme_model::{ClassId, GroupId, ProjectId, ResearchQuestion, Step, StepState};

use hugme_app::{sample, App, Error};
use hugme_node::membership;

use crate::error::CliError;

type Result<T> = std::result::Result<T, CliError>;

#[derive(Debug, Parser)]
#[command(
    name = "hugme",
    version,
    about = "Hug me! Studio: headless hub, export and demos"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fill DIR with a sample class: two groups and their projects. With --teacher, DIR
    /// becomes the teacher's device of a class of --groups groups, each with a project at
    /// its own point of the journey (the teacher's overview to look at).
    Demo {
        dir: PathBuf,
        #[arg(long)]
        teacher: bool,
        #[arg(long, default_value_t = 8, requires = "teacher")]
        groups: usize,
    },
    /// Show what DIR holds: classes, groups, projects, media and storage.
    Inspect {
        dir: PathBuf,
        /// Print JSON of the stable shape documented in docs/inspect-json.md.
        #[arg(long)]
        json: bool,
    },
    /// Create and edit projects.
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Import photos, drawings, sound and video.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Export one project or a whole class for the school's LMS (IMS Common Cartridge) or as
    /// an HTML portfolio that opens offline in any browser.
    Export(ExportArgs),
    /// The teacher's feedback on a project (on the teacher's device): the overall comment,
    /// approval, comments on steps. Prints the feedback as it then stands.
    Review(ReviewArgs),
    #[command(flatten)]
    Network(crate::network_cli::NetworkCommand),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["project", "class"])))]
struct ExportArgs {
    dir: PathBuf,
    /// Export this project.
    #[arg(long)]
    project: Option<String>,
    /// Export every project of this class.
    #[arg(long)]
    class: Option<String>,
    /// cc11 (Moodle imports only 1.0 and 1.1), cc13, html, or mbz (a Moodle course backup,
    /// its sections named by the groups).
    #[arg(long, default_value = "cc11", value_parser = ["cc11", "cc13", "html", "mbz"])]
    format: String,
    /// Include the teacher's feedback (approval and comments).
    #[arg(long)]
    feedback: bool,
    /// The zip to write (.imscc for a cartridge, .mbz for a Moodle backup).
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Debug, Args)]
struct ReviewArgs {
    dir: PathBuf,
    /// The project's id.
    project: String,
    /// The overall comment (replaces the one there).
    #[arg(long)]
    overall: Option<String>,
    /// approved, returned (for revision) or not-reviewed.
    #[arg(long, value_parser = ["approved", "returned", "not-reviewed"])]
    approval: Option<String>,
    /// A comment on a step, as STEP=TEXT (agreement, phenomenon, subjects, goals,
    /// research-questions, tools, content, sharing); may be given several times.
    #[arg(long, value_name = "STEP=TEXT")]
    comment: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum MediaCommand {
    /// Import files into a project as content blocks (on its first page, made if needed).
    /// Prints what was stored, or why a file was refused; exits non-zero if any was refused.
    Import {
        dir: PathBuf,
        #[arg(long)]
        project: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum ProjectCommand {
    /// Start a project for a group; prints the new project's id. Creates the class and the
    /// group if DIR has none of that name yet.
    New {
        dir: PathBuf,
        #[arg(long)]
        group: String,
        #[arg(long)]
        title: String,
        /// The class to use or create (default: the only class, or a new one named "Class").
        #[arg(long)]
        class: Option<String>,
    },
    /// Set a step's text or state.
    Set(SetArgs),
    /// Add a research question; prints its id.
    AddQuestion {
        dir: PathBuf,
        id: String,
        #[arg(long)]
        text: String,
    },
}

#[derive(Debug, Args)]
struct SetArgs {
    dir: PathBuf,
    id: String,
    /// agreement, phenomenon, subjects, goals, research-questions, tools, content, sharing
    #[arg(long)]
    step: String,
    /// The step's main text (phenomenon: its title; sharing: the presentation).
    #[arg(long)]
    text: Option<String>,
    /// Which text of the step: phenomenon has `title` and `why`; sharing has `presentation`,
    /// `learned`, `went-well`, `do-differently`.
    #[arg(long)]
    field: Option<String>,
    /// not-started, in-progress or done.
    #[arg(long)]
    state: Option<String>,
}

/// Runs the command line and returns the process's exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hugme: {e}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> std::result::Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match command {
        Command::Network(command) => {
            if !crate::network_cli::execute(command, &mut out)? {
                return Err(CliError::NotInStep);
            }
        }
        Command::Export(args) => export(&args, &mut out)?,
        Command::Review(args) => review(&args, &mut out)?,
        Command::Demo {
            dir,
            teacher: true,
            groups,
        } => {
            let names: Vec<&str> = sample::GROUP_NAMES
                .iter()
                .copied()
                .cycle()
                .take(groups)
                .collect();
            let app = membership::open(&dir)?;
            let class = hugme_node::enrolment::create_class_as_teacher(&app, "5B", &names)?;
            let today = hugme_store::now_ms() / 86_400_000;
            let projects = sample::fill_class(&app, &class, &sample::iso_date(today))?;
            writeln!(out, "class {} ({})", class.name.as_str(), class.id)?;
            for id in projects {
                writeln!(out, "project {id}")?;
            }
        }
        Command::Demo { dir, .. } => {
            let app = membership::open(&dir)?;
            let demo = sample::create(&app)?;
            writeln!(
                out,
                "class {} ({})",
                demo.class.name.as_str(),
                demo.class.id
            )?;
            for id in demo.projects {
                writeln!(out, "project {id}")?;
            }
        }
        Command::Inspect { dir, json } => {
            // Asked of the hub serving the folder, if one runs.
            let answer = crate::control::run(&dir, crate::control::Ask::Inspect { json })?;
            write!(out, "{}", answer.printed)?;
        }
        Command::Project(ProjectCommand::New {
            dir,
            group,
            title,
            class,
        }) => {
            let app = open_class(&dir, class.as_deref())?;
            let (class_id, group_id) = class_and_group(&app, class.as_deref(), &group)?;
            let id = app.create_project(&class_id, &group_id, &title)?;
            writeln!(out, "{id}")?;
        }
        Command::Project(ProjectCommand::Set(args)) => set(&args)?,
        Command::Media(MediaCommand::Import {
            dir,
            project,
            files,
        }) => {
            let app = open_with(&dir, &project)?;
            let refused = hugme_app::media::import_files(
                &app,
                &ProjectId::from(project.as_str()),
                &files,
                &mut out,
            )?;
            if refused > 0 {
                return Err(CliError::Refused(refused));
            }
        }
        Command::Project(ProjectCommand::AddQuestion { dir, id, text }) => {
            let app = open_with(&dir, &id)?;
            let question = ResearchQuestion::new(&text);
            let qid = question.id.clone();
            app.update_project(&ProjectId::from(id.as_str()), |p| {
                p.research.questions.push(question);
                p.touch(Step::ResearchQuestions);
                Ok(())
            })?;
            writeln!(out, "{qid}")?;
        }
    }
    Ok(())
}

/// Opens the folder, of the device whose data folder is `dir`, that holds document `id` (a
/// device of several classes keeps each in a folder of its own: `hugme_node::shelf`).
fn open_with(dir: &Path, id: &str) -> Result<App> {
    crate::control::must_exist(dir)?;
    Ok(hugme_node::shelf::app_with_document(dir, id)?)
}

/// Opens the folder, of the device whose data folder is `dir`, of the class named (or with
/// the id) `class`; the device's own folder when none is named or none holds it.
fn open_class(dir: &Path, class: Option<&str>) -> Result<App> {
    match hugme_node::shelf::class_app(dir, class) {
        Ok(app) => Ok(app),
        Err(_) => Ok(membership::open(dir)?),
    }
}

/// Finds (or creates) the class and the group named on the command line.
fn class_and_group(app: &App, class: Option<&str>, group: &str) -> Result<(ClassId, GroupId)> {
    let classes = app.classes()?;
    let found = match class {
        Some(name) => classes.into_iter().find(|c| c.name.as_str() == name),
        None => classes.into_iter().next(),
    };
    let class = match found {
        Some(c) => c,
        None => app.create_class_document(class.unwrap_or("Class"), &[])?,
    };
    if let Some(g) = class.group_named(group) {
        return Ok((class.id.clone(), g.id.clone()));
    }
    let group_id = app.update_class(&class.id, |c| Ok(c.add_group(group)))?;
    Ok((class.id, group_id))
}

fn set(args: &SetArgs) -> Result<()> {
    let app = open_with(&args.dir, &args.id)?;
    let step: Step = args.step.parse().map_err(Error::from)?;
    let state = args.state.as_deref().map(parse_state).transpose()?;
    Ok(app.update_project(&ProjectId::from(args.id.as_str()), |p| {
        if let Some(text) = &args.text {
            let field = args.field.as_deref();
            let target = match (step, field) {
                (Step::Phenomenon, None | Some("title")) => &mut p.phenomenon.title,
                (Step::Phenomenon, Some("why")) => &mut p.phenomenon.why,
                (Step::Sharing, None | Some("presentation")) => &mut p.sharing.presentation,
                (Step::Sharing, Some("learned")) => &mut p.sharing.reflection.learned,
                (Step::Sharing, Some("went-well")) => &mut p.sharing.reflection.went_well,
                (Step::Sharing, Some("do-differently")) => &mut p.sharing.reflection.do_differently,
                _ => {
                    return Err(Error::Model(hugme_model::Error::NoTextField {
                        step,
                        field: field.unwrap_or("").into(),
                    }))
                }
            };
            // A diff, not a replacement: a tablet typing into the same text still merges.
            target.update(text);
            p.touch(step);
        }
        if let Some(state) = state {
            p.set_step_state(step, state);
        }
        Ok(())
    })?)
}

fn review(args: &ReviewArgs, out: &mut dyn Write) -> Result<()> {
    use hugme_app::api::teacher::{PinView, ReviewEdit};
    use hugme_model::Approval;
    let app = open_with(&args.dir, &args.project)?;
    let mut edits = Vec::new();
    if let Some(text) = &args.overall {
        edits.push(ReviewEdit::SetOverall { text: text.clone() });
    }
    if let Some(approval) = args.approval.as_deref() {
        let approval = match approval {
            "approved" => Approval::Approved,
            "returned" => Approval::ReturnedForRevision,
            _ => Approval::NotReviewed,
        };
        edits.push(ReviewEdit::SetApproval { approval });
    }
    for comment in &args.comment {
        let Some((step, text)) = comment.split_once('=') else {
            return Err(CliError::CommentHow(comment.clone()));
        };
        let step: Step = step.trim().parse().map_err(Error::from)?;
        // The same words on the same step are one comment, however often the script runs.
        let id = format!("cli-{}", blake3::hash(comment.as_bytes()).to_hex());
        edits.push(ReviewEdit::AddComment {
            id: id[..20].to_owned(),
            pin: PinView::Step { step },
            text: text.to_owned(),
        });
    }
    for edit in edits {
        app.review_project(&args.project, edit)?;
    }
    let feedback = app.feedback(&args.project)?;
    let approval = match feedback.approval {
        Approval::Approved => "approved",
        Approval::ReturnedForRevision => "returned",
        Approval::NotReviewed => "not-reviewed",
    };
    writeln!(out, "approval: {approval}")?;
    if !feedback.overall.is_empty() {
        writeln!(out, "overall: {}", feedback.overall)?;
    }
    for c in &feedback.comments {
        writeln!(out, "comment: {}", c.text)?;
    }
    Ok(())
}

fn parse_state(s: &str) -> hugme_app::Result<StepState> {
    match s {
        "not-started" => Ok(StepState::NotStarted),
        "in-progress" => Ok(StepState::InProgress),
        "done" => Ok(StepState::Done),
        other => Err(Error::Model(hugme_model::Error::UnknownState(other.into()))),
    }
}

fn export(args: &ExportArgs, out: &mut dyn Write) -> std::result::Result<(), CliError> {
    use hugme_export::{Format, Options, Progress, Scope};
    let app = match (&args.project, &args.class) {
        (Some(project), _) => open_with(&args.dir, project)?,
        (None, class) => {
            crate::control::must_exist(&args.dir)?;
            open_class(&args.dir, class.as_deref())?
        }
    };
    let scope = match (&args.project, &args.class) {
        (Some(project), _) => Scope::Project(project.clone()),
        (None, Some(class)) => Scope::Class(class.clone()),
        (None, None) => unreachable!("clap requires --project or --class"),
    };
    let format = match args.format.as_str() {
        "cc13" => Format::Cc13,
        "html" => Format::Html,
        "mbz" => Format::MoodleBackup,
        _ => Format::Cc11,
    };
    let options = Options {
        format,
        include_feedback: args.feedback,
    };
    let summary = hugme_export::export(
        app.store(),
        &scope,
        &options,
        &args.output,
        &Progress::default(),
    )?;
    writeln!(
        out,
        "wrote {}: {} project(s), {} files, {} bytes",
        args.output.display(),
        summary.projects,
        summary.files,
        summary.bytes
    )?;
    for m in &summary.missing {
        let kind = match m.kind {
            hugme_export::MediaKind::Photo => "a photo",
            hugme_export::MediaKind::Drawing => "a drawing",
            hugme_export::MediaKind::Audio => "a recording",
            hugme_export::MediaKind::Video => "a video",
        };
        writeln!(
            out,
            "not on this device yet, so not in the export: {kind} of {} ({}); export again \
             once it has arrived",
            m.project, m.group
        )?;
    }
    Ok(())
}
