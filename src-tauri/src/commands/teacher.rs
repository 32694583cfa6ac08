//! The teacher's device: the class overview, feedback on a project, goals for all groups,
//! and removing a tablet from the class.

use crate::device::Device;
use hugme_app::api::teacher::{ClassEdit, DashboardView, FeedbackView, ReviewEdit};
use tauri::State;

use super::{blocking, on_network};
use crate::error::CommandResult;

/// Every group of a class; `today` is the tablet's local date, for the day's check-ins. A
/// class of another folder on the device (a teacher's device of two classes) is shown from
/// then on: the devices, export and end of term are that class's.
#[tauri::command]
pub async fn dashboard(
    device: State<'_, Device>,
    class: String,
    today: String,
) -> CommandResult<DashboardView> {
    let (place, app) = device
        .class_app(&class)
        .map_or_else(|| (None, device.app()), |(i, app)| (Some(i), app));
    let view = blocking(&app, move |app| app.dashboard(&class, &today)).await?;
    if let Some(i) = place {
        device.show(i);
    }
    Ok(view)
}

/// The teacher's feedback on a project (the group's tablet shows it too).
#[tauri::command]
pub async fn feedback(device: State<'_, Device>, project: String) -> CommandResult<FeedbackView> {
    let app = device.app();
    blocking(&app, move |app| app.feedback(&project)).await
}

#[tauri::command]
pub async fn review_project(
    device: State<'_, Device>,
    project: String,
    edit: ReviewEdit,
) -> CommandResult<()> {
    let app = device.app();
    blocking(&app, move |app| app.review_project(&project, edit)).await
}

/// Adds a goal to every group's project; returns how many got it.
#[tauri::command]
pub async fn add_goal_to_all(
    device: State<'_, Device>,
    class: String,
    text: String,
) -> CommandResult<usize> {
    let app = device.app();
    blocking(&app, move |app| app.add_goal_to_all(&class, &text)).await
}

/// Removes a device from the class: its certificate is revoked, so no peer syncs with it.
#[tauri::command]
pub async fn revoke_device(
    on_device: State<'_, Device>,
    class: String,
    device: String,
) -> CommandResult<()> {
    let network = on_device.class_network(&class);
    on_network(&network, move |side| side.revoke(&device)).await
}

/// Changes the class's groups and pupils (names, PINs, protected identity).
#[tauri::command]
pub async fn edit_class(
    device: State<'_, Device>,
    class: String,
    edit: ClassEdit,
) -> CommandResult<()> {
    let app = device.app();
    blocking(&app, move |app| app.edit_class(&class, edit)).await
}

/// Creates a class on this device, which becomes its teacher's device (and class CA), and
/// starts serving the class's devices.
#[tauri::command]
pub async fn create_class<R: tauri::Runtime>(
    handle: tauri::AppHandle<R>,
    device: State<'_, Device>,
    name: String,
    groups: Vec<String>,
) -> CommandResult<()> {
    let network = device.network();
    on_network(&network, move |side| {
        let groups: Vec<&str> = groups
            .iter()
            .map(|g| g.trim())
            .filter(|g| !g.is_empty())
            .collect();
        side.create_class(name.trim(), &groups)
    })
    .await?;
    // This device now holds the class CA and a teacher's certificate.
    crate::grant_teacher_commands(&handle).map_err(crate::error::CommandError::internal)
}

/// The starter library in `language`.
#[tauri::command]
pub fn starter_library(device: State<'_, Device>, language: String) -> hugme_app::Library {
    device.app().starter_library(&language)
}

/// A phenomenon of the starter library as a template.
#[tauri::command]
pub async fn library_template(
    device: State<'_, Device>,
    id: String,
    language: String,
) -> CommandResult<hugme_app::Template> {
    let app = device.app();
    blocking(&app, move |app| app.library_template(&id, &language)).await
}

/// Applies a template to one group's project, or every group's (`group` absent); returns
/// how many projects got it.
#[tauri::command]
pub async fn apply_template(
    device: State<'_, Device>,
    class: String,
    template: hugme_app::Template,
    group: Option<String>,
) -> CommandResult<usize> {
    let app = device.app();
    blocking(&app, move |app| {
        app.apply_template(&class, &template, group.as_deref())
    })
    .await
}

/// A template of what the teacher set up in a project, named `name`.
#[tauri::command]
pub async fn template_of_project(
    device: State<'_, Device>,
    project: String,
    name: String,
) -> CommandResult<hugme_app::Template> {
    let app = device.app();
    blocking(&app, move |app| app.template_of_project(&project, &name)).await
}

/// Saves a template as a `.hugme-template` file beside the exports; returns its path.
#[tauri::command]
pub async fn save_template<R: tauri::Runtime>(
    handle: tauri::AppHandle<R>,
    device: State<'_, Device>,
    options: State<'_, crate::options::Options>,
    template: hugme_app::Template,
) -> CommandResult<String> {
    let folder = super::export::folder(&handle, &options);
    let app = device.app();
    blocking(&app, move |app| {
        app.save_template(&template, &folder)
            .map(|p| p.display().to_string())
    })
    .await
}

/// Reads a template file the teacher picked (its text; at most
/// `hugme_model::template::MAX_FILE_BYTES`, which the page checks before reading the file).
#[tauri::command]
pub fn read_template(text: String) -> CommandResult<hugme_app::Template> {
    Ok(hugme_app::Template::from_file(text.as_bytes()).map_err(hugme_app::Error::from)?)
}

/// A template shared with another teacher's device: the code its screen shows, and until
/// when (ms since the epoch).
#[derive(Debug, serde::Serialize)]
pub struct SharedTemplate {
    pub code: String,
    pub expires_at: i64,
}

/// Opens a short code under which another teacher's device on the network can take
/// `template` (`hugme_node::templates`).
#[tauri::command]
pub async fn share_template(
    device: State<'_, Device>,
    template: hugme_app::Template,
) -> CommandResult<SharedTemplate> {
    let app = device.app();
    let (code, expires_at) =
        super::on_thread(move || hugme_node::templates::share(&app, &template)).await?;
    Ok(SharedTemplate { code, expires_at })
}

/// The template another teacher's device shares under `code`, asked of `address` if typed
/// and of the teachers' devices heard on the network; checked, for the teacher to accept.
#[tauri::command]
pub async fn receive_template(
    device: State<'_, Device>,
    code: String,
    address: Option<String>,
) -> CommandResult<hugme_app::Template> {
    let discovery = device.discovery();
    let typed: Vec<String> = address.into_iter().collect();
    super::on_thread(move || {
        let addresses = hugme_node::enrolment::teacher_addresses(&typed, discovery)?;
        hugme_node::templates::receive(&code, &addresses)
    })
    .await
}
