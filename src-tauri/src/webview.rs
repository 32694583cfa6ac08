//! Settings of the WebView that Tauri does not expose: on Linux (WebKitGTK), the camera and
//! microphone for photos and recordings.

/// Applies the settings to the main window's WebView.
pub fn configure(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| linux::configure(&webview.inner()));
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(target_os = "linux")]
mod linux {
    use webkit2gtk::glib::object::ObjectExt;
    use webkit2gtk::{
        PermissionRequestExt, SettingsExt, UserMediaPermissionRequest, WebView, WebViewExt,
    };

    pub fn configure(view: &WebView) {
        if let Some(settings) = WebViewExt::settings(view) {
            // getUserMedia and MediaRecorder are off in WebKitGTK unless asked for.
            settings.set_enable_media_stream(true);
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
