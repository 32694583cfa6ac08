//! The HTML portfolio opens offline in headless Chromium: the page shows the project, and
//! every picture on it loads from the zip's own files.

use std::path::Path;
use std::process::Command;

use hugme_export::{export, Format, Options, Progress, Scope};
use hugme_store::Store;

use crate::checks::unzip;
use crate::sample;

fn chromium() -> &'static str {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("chromium is not installed (apt-get install chromium)")
}

/// Runs Chromium headless with no network of its own and its profile in `profile`.
fn run_chromium(profile: &Path, args: &[&str]) -> String {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium did not run");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_portfolio_opens_offline_with_its_pictures() {
    let data = tempfile::tempdir().unwrap();
    let (class, _) = sample(data.path());
    let store = Store::open(data.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let zip = out.path().join("portfolio.zip");
    let options = Options {
        format: Format::Html,
        include_feedback: false,
    };
    export(
        &store,
        &Scope::Class(class),
        &options,
        &zip,
        &Progress::default(),
    )
    .unwrap();

    // Unpacked as a teacher would ("extract all", then open index.html).
    let site = out.path().join("site");
    for (name, bytes) in unzip(&zip) {
        let path = site.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let first = index
        .split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let page = site.join(&first);
    assert!(
        page.exists(),
        "the index links to {first}, which is missing"
    );

    // The project page with a probe at its end that reports, once the page has loaded,
    // whether every picture did (made eager: lazy pictures below the fold would not load);
    // a copy beside the page, so that its relative links are the page's own.
    let probe = page.with_file_name("probe.html");
    let html = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &probe,
        html.replace(
            "</body>",
            "<script>const imgs = [...document.images];\
             imgs.forEach(i => { i.loading = 'eager'; });\
             window.addEventListener('load', () => {\
               const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;\
               document.title = 'pictures ' + ok + '/' + imgs.length + ' | ' + document.querySelector('h1').textContent;\
             });</script></body>",
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let dom = run_chromium(
        profile.path(),
        &["--dump-dom", &format!("file://{}", probe.display())],
    );
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|s| s.split("</title>").next())
        .unwrap_or("");
    let (counts, heading) = title.split_once(" | ").unwrap_or((title, ""));
    let (loaded, all) = counts
        .trim_start_matches("pictures ")
        .split_once('/')
        .expect(title);
    assert!(
        all.parse::<u32>().unwrap() >= 1,
        "the project page shows no picture: {title}"
    );
    assert_eq!(loaded, all, "not every picture loaded offline: {title}");
    assert!(!heading.is_empty(), "the page has no title heading");
    eprintln!("probe: {title}");

    // A screenshot of the project page, to look at.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("export-project-page.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        profile.path(),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1000,1400",
            &format!("file://{}", page.display()),
        ],
    );
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "no screenshot"
    );
    eprintln!("screenshot: {}", shot.display());
}
