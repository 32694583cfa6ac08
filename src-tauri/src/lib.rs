//! Hug me! Studio, the app: a thin Tauri shell over the documents facade (`hugme-app`) and
//! the class network (`hugme-node`).
//!
//! # Layout
//! - [`run`] (this file): opens the data folder (every class on the device, each in a folder of
//!   its own), registers commands, the `media:` protocol and the window's close handling, and
//!   forwards every durable document change to the UI as a `document-changed` event.
//! - [`device`]: [`device::Device`], the device's classes, each syncing, and the one shown.
//! - [`commands`]: one module per area (`classes`, `projects`, `media`, `export`, `sync`,
//!   `teacher`, `enrolment`, `term`, `window`, `launch`), each command a few lines calling the
//!   facade or the network side off the main thread.
//! - [`media_protocol`]: `media://localhost/<hash>` serves blobs to the WebView;
//!   [`media_server`]: sound and video over loopback HTTP (WebKitGTK's media player cannot
//!   read a custom scheme).
//! - [`options`]: `--data DIR`, `--no-discovery`, `--listen ADDR` and their environment
//!   variables.
//! - [`webview`]: WebKitGTK settings Tauri does not expose (camera, microphone).
//! - [`error`]: `CommandError { code, message }`, the only error the UI receives.
//!
//! Nothing here decides anything about projects or the network: that is `hugme-app`'s and
//! `hugme-node`'s job, tested without a window.

pub mod commands;
pub mod device;
pub mod error;
pub mod media_protocol;
pub mod media_server;
pub mod options;
pub mod webview;

use std::sync::Arc;

use hugme_app::App;
use hugme_node::NetworkSide;
use tauri::{Emitter, Manager};

use device::Device;
use options::Options;

/// When the process started: the start-up time is measured from here.
#[derive(Debug)]
pub struct Started(pub std::time::Instant);

/// Starts the app; returns when its window is closed.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let started = Started(std::time::Instant::now());
    let options = Options::from_env();
    let apps = match open_when_free(&options.data) {
        Ok(apps) => apps,
        Err(e) => {
            // Before any window exists the terminal is the only place to say it.
            eprintln!("Hug me! Studio cannot open its data folder: {e}");
            std::process::exit(1);
        }
    };
    let changes: Vec<_> = apps.iter().map(|app| app.subscribe()).collect();
    // Every class serves and syncs on the classroom network (each with its own certificate),
    // while pupils edit the shown one's open documents. A failure leaves that class offline.
    let (discovery, first_listen) = (options.discovery, options.listen.clone());
    let device = Device::new(options.data.clone(), apps, discovery, move |i, app| {
        // A further class serves at another port of the same address.
        let listen = match (i, &first_listen) {
            (0, listen) => listen.clone(),
            (_, Some(listen)) => listen
                .parse::<std::net::SocketAddr>()
                .ok()
                .map(|a| format!("{}:0", a.ip())),
            (_, None) => None,
        };
        network_side(app, discovery, listen)
    });
    let protocol_device = device.clone();
    let media_server = match media_server::MediaServer::start(device.clone()) {
        Ok(server) => Some(server),
        Err(e) => {
            eprintln!("Hug me! Studio cannot serve sound and video on loopback: {e}");
            None
        }
    };
    let result = tauri::Builder::default()
        .manage(device.clone())
        .manage(media_server)
        .manage(options)
        .manage(started)
        .register_asynchronous_uri_scheme_protocol("media", move |_ctx, request, responder| {
            // The shown class's blobs only.
            let app = protocol_device.app();
            std::thread::spawn(move || responder.respond(media_protocol::respond(&app, &request)));
        })
        .invoke_handler(tauri::generate_handler![
            commands::classes::classes,
            commands::speech::read_aloud,
            commands::media::add_voice_answer,
            commands::classes::open_group,
            commands::classes::peer_projects,
            commands::classes::load_sample_class,
            commands::projects::start_project,
            commands::projects::project,
            commands::projects::edit_project,
            commands::media::add_media,
            commands::media::add_drawing,
            commands::media::media_base,
            commands::window::close_now,
            commands::launch::launch,
            commands::launch::ui_ready,
            commands::export::export_project,
            commands::export::cancel_export,
            commands::export::export_class,
            commands::sync::sync_status,
            commands::sync::pause_media,
            commands::sync::resume_media,
            commands::teacher::dashboard,
            commands::teacher::feedback,
            commands::teacher::review_project,
            commands::teacher::add_goal_to_all,
            commands::teacher::starter_library,
            commands::teacher::library_template,
            commands::teacher::apply_template,
            commands::teacher::template_of_project,
            commands::teacher::save_template,
            commands::teacher::read_template,
            commands::teacher::share_template,
            commands::teacher::receive_template,
            commands::teacher::revoke_device,
            commands::teacher::edit_class,
            commands::teacher::create_class,
            commands::enrolment::enrol_tablet,
            commands::enrolment::join_class,
            commands::enrolment::scan_enrolment,
            commands::term::end_term,
            commands::term::leave_class,
        ])
        .on_window_event(commands::window::on_window_event)
        .setup(move |tauri_app| {
            for changes in changes {
                let handle = tauri_app.handle().clone();
                std::thread::spawn(move || {
                    for event in changes {
                        let _ = handle.emit("document-changed", &event);
                    }
                });
            }
            if let Some(window) = tauri_app.get_webview_window("main") {
                webview::configure(&window);
                let _ = window.set_focus();
            }
            let device = tauri_app.state::<Device>();
            if device
                .apps()
                .iter()
                .any(|app| app.is_teacher().unwrap_or(false))
            {
                grant_teacher_commands(tauri_app.handle())?;
            }
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Hug me! Studio stopped: {e}");
        std::process::exit(1);
    }
}

/// Lets the window call the teacher's commands (`roles/teacher.json`): only on a device whose
/// class certificate names a teacher (the facade's `is_teacher`). A group tablet's window
/// never has them, whatever its roster says.
pub fn grant_teacher_commands<R: tauri::Runtime>(
    handle: &tauri::AppHandle<R>,
) -> tauri::Result<()> {
    handle.add_capability(include_str!("../roles/teacher.json"))
}

/// The network side of a class's data folder, serving (at `listen`, or the usual port) and
/// syncing at once if it belongs to a class.
pub fn network_side(app: &Arc<App>, discovery: bool, listen: Option<String>) -> NetworkSide {
    let reach = hugme_node::neighbours::Reach {
        discovery,
        fallbacks: true,
        typed: Vec::new(),
    };
    let side = NetworkSide::start(Arc::clone(app), reach, listen);
    if let Some(why) = side.failure() {
        eprintln!("Hug me! Studio works offline: the network side did not start: {why}");
    }
    side
}

/// Opens the device's data folder and each further class's (`hugme_node::shelf`), waiting a
/// few seconds if another program holds them: the app that was just closed may still be
/// writing its last edits (tapped twice, or restarted quickly).
fn open_when_free(dir: &std::path::Path) -> hugme_node::Result<Vec<Arc<App>>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let skipped = &mut |folder: &std::path::Path, e: hugme_node::Error| {
            eprintln!(
                "Hug me! Studio cannot open the class in {}: {e}",
                folder.display()
            );
        };
        match hugme_node::shelf::open_all_or_skip(dir, skipped) {
            Ok(apps) => return Ok(apps.into_iter().map(Arc::new).collect()),
            Err(e)
                if e.code() == hugme_app::ErrorCode::Busy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    }
}
