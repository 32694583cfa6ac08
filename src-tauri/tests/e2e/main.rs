//! End-to-end tests of the app as shipped (UI embedded), in WebKitGTK through tauri-driver,
//! on an Xvfb display of their own. Screenshots of every main screen land in
//! `$CARGO_TARGET_TMPDIR/screenshots/`: look at them.

// Shared with the app benchmark (`benches/app.rs`), which uses parts these tests do not.
mod accessibility;
#[allow(dead_code)]
mod cart;
mod driver;
mod headless;
mod keyboard;
mod languages;
mod media;
mod student;
mod sync;
mod teacher;
mod templates;
mod term;
mod voice;
