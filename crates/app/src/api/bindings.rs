//! The TypeScript twins of the types the app's UI receives and sends, generated from Rust.
//!
//! The generated file is committed (`ui/src/lib/api/bindings.ts`); a test regenerates it and
//! fails on any difference, so the UI never works from a stale or hand-written copy.
//! `UPDATE_BINDINGS=1 cargo test -p hugme-app bindings` rewrites it.

use hugme_model::library::{CheckInFormat, Library, LibraryPhenomenon, RoleCard, Starter};
use hugme_model::{Approval, DocumentKind, Step, StepState, Template};
use ts_rs::{Config, TS};

use super::edit::{Edit, List, TextField};
use super::enrolment::EnrolmentView;
use super::sync::{MediaTransfer, PeerView, SyncView};
use super::teacher::{
    ClassEdit, CommentView, DashboardView, DeviceView, FeedbackView, GroupOverview, PinView,
    ProjectOverview, ReviewEdit,
};
use super::view::*;
use super::{DocumentEvent, ErrorCode};

/// Where the generated file lives, relative to the repository root.
pub const PATH: &str = "ui/src/lib/api/bindings.ts";

/// The whole generated file.
pub fn typescript() -> String {
    // Sizes and counts fit in a JavaScript number; bigint would not survive JSON.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        Step::decl(&cfg),
        StepState::decl(&cfg),
        Approval::decl(&cfg),
        Todo::decl(&cfg),
        StepView::decl(&cfg),
        EnrolmentView::decl(&cfg),
        ClassCard::decl(&cfg),
        GroupCard::decl(&cfg),
        MemberView::decl(&cfg),
        ProjectSummary::decl(&cfg),
        ProjectView::decl(&cfg),
        AgreementView::decl(&cfg),
        RoleView::decl(&cfg),
        ItemView::decl(&cfg),
        CheckInView::decl(&cfg),
        PhenomenonView::decl(&cfg),
        SubjectView::decl(&cfg),
        GoalView::decl(&cfg),
        QuestionView::decl(&cfg),
        ToolView::decl(&cfg),
        PageView::decl(&cfg),
        BlockView::decl(&cfg),
        MediaView::decl(&cfg),
        VoiceAnswerView::decl(&cfg),
        AppliedTemplateView::decl(&cfg),
        Template::decl(&cfg),
        Library::decl(&cfg),
        LibraryPhenomenon::decl(&cfg),
        CheckInFormat::decl(&cfg),
        RoleCard::decl(&cfg),
        Starter::decl(&cfg),
        SharingView::decl(&cfg),
        PeerFeedbackView::decl(&cfg),
        Edit::decl(&cfg),
        TextField::decl(&cfg),
        List::decl(&cfg),
        ErrorCode::decl(&cfg),
        DocumentKind::decl(&cfg),
        DocumentEvent::decl(&cfg),
        Launch::decl(&cfg),
        ExportFormat::decl(&cfg),
        ExportProgress::decl(&cfg),
        ExportDone::decl(&cfg),
        MissingMediaView::decl(&cfg),
        MissingKind::decl(&cfg),
        SyncView::decl(&cfg),
        PeerView::decl(&cfg),
        MediaTransfer::decl(&cfg),
        DashboardView::decl(&cfg),
        GroupOverview::decl(&cfg),
        ProjectOverview::decl(&cfg),
        DeviceView::decl(&cfg),
        PinView::decl(&cfg),
        ReviewEdit::decl(&cfg),
        CommentView::decl(&cfg),
        FeedbackView::decl(&cfg),
        ClassEdit::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from Rust by `crates/app/src/api/bindings.rs`. Do not edit by hand:\n\
         // UPDATE_BINDINGS=1 cargo test -p hugme-app bindings\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn bindings_are_up_to_date() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(super::PATH);
        let fresh = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run UPDATE_BINDINGS=1 cargo test -p hugme-app bindings",
            super::PATH
        );
    }
}
