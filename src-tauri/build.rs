//! Declares the app's own commands, so that a capability grants each one by name
//! (`allow-<command>`) and a window can call nothing it was not given.

const COMMANDS: &[&str] = &[
    "classes",
    "open_group",
    "peer_projects",
    "load_sample_class",
    "start_project",
    "project",
    "edit_project",
    "add_media",
    "add_drawing",
    "media_base",
    "close_now",
    "launch",
    "ui_ready",
    "export_project",
    "cancel_export",
    "sync_status",
    "pause_media",
    "resume_media",
    "dashboard",
    "feedback",
    "review_project",
    "add_goal_to_all",
    "revoke_device",
    "export_class",
    "edit_class",
    "create_class",
    "enrol_tablet",
    "join_class",
    "scan_enrolment",
    "end_term",
    "leave_class",
    "read_aloud",
    "add_voice_answer",
    "starter_library",
    "library_template",
    "apply_template",
    "template_of_project",
    "save_template",
    "read_template",
    "share_template",
    "receive_template",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script failed");
}
