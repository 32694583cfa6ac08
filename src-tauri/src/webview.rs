//! Settings of the WebView that Tauri does not expose: on Linux (WebKitGTK), the camera and
//! microphone for photos and recordings.

/// Applies the settings to the main window's WebView.
pub fn configure(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| linux::configure(&webview.inner()));
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// Set (to anything) in the end-to-end tests' environment: the WebView's microphone and
/// camera are WebKit's mock capture devices.
pub const MOCK_CAPTURE: &str = "HUGME_TEST_MOCK_CAPTURE";

#[cfg(target_os = "linux")]
mod linux {
    use super::MOCK_CAPTURE;
    use webkit2gtk::glib::object::ObjectExt;
    use webkit2gtk::{
        PermissionRequestExt, SettingsExt, UserMediaPermissionRequest, WebView, WebViewExt,
    };

    pub fn configure(view: &WebView) {
        if let Some(settings) = WebViewExt::settings(view) {
            // getUserMedia and MediaRecorder are off in WebKitGTK unless asked for.
            settings.set_enable_media_stream(true);
            // Tests only: WebKit's own fake camera and microphone (a tone), so that the end-to-end
            // tests record through the real recorder on machines with no sound card.
            if std::env::var_os(MOCK_CAPTURE).is_some() {
                settings.set_enable_mock_capture_devices(true);
            }
        }
        // The only page is the app's own, embedded in the binary: the camera and microphone
        // are what it asks for, when a pupil taps "photo" or "record". Anything else
        // (location, notifications) keeps WebKit's default answer, no.
        view.connect_permission_request(|_, request| {
            if request.is::<UserMediaPermissionRequest>() {
                request.allow();
                return true;
            }
            false
        });
    }
}
