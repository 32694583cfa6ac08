//! The teacher's overview of a class of 30 groups in the real app, while 30 tablets sync with
//! it, against the same overview with the class quiet, measured in the same run. Prints its
//! figures; asserts nothing.
//!
//! `cargo bench -p hugme-studio --bench dashboard [-- --photos 100]`
//!
//! - The teacher's app serves the class on loopback (TLS, as in class). 30 tablets, each a
//!   data folder of its own with the network side a tablet runs (this process, the `hugme`
//!   facade), enrolled in the class; each brings its group's new work: a project with a
//!   research question and `--photos` photos (1600×1200).
//! - Measured in the page through WebDriver, over and over: from tapping "back" on a
//!   project's review to the overview of 30 groups painted again (it is read afresh from the
//!   store each time). First with the tablets quiet, then from the moment they start until
//!   every tablet's work, photos included, is on the teacher's device.
//! - Also: how long until the overview showed every tablet's new project (live, unasked).

#[allow(dead_code)]
#[path = "../tests/e2e/driver.rs"]
mod driver;
#[path = "support/picture.rs"]
mod picture;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_model::{Page, ResearchQuestion};
use hugme_node::neighbours::Reach;
use hugme_node::Node;
use picture::picture;

const GROUPS: usize = 30;

fn main() {
    // Every tablet here connects from loopback: one address for the whole fleet (the app
    // started below, and the tablets in this process, read it).
    std::env::set_var("HUGME_CONNECTIONS_PER_ADDRESS", "256");
    let photos = arg("--photos").unwrap_or(100);
    let root = tempfile::tempdir().expect("no temporary folder");
    let teacher = root.path().join("teacher");
    let names: Vec<String> = (0..GROUPS).map(|i| format!("Ryhmä {}", i + 1)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let class = hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        "5B",
        &names,
    )
    .expect("the class");
    {
        let app = App::open(&teacher).expect("opens");
        hugme_app::sample::fill_class(&app, &class, "2026-11-25").expect("30 projects");
    }
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().expect("its address").to_string()
    };
    let payloads: Vec<_> = names
        .iter()
        .map(|g| {
            hugme_node::enrolment::enrol(
                &hugme_node::membership::open(&teacher).unwrap(),
                Some(g),
                false,
                std::slice::from_ref(&addr),
                None,
            )
            .expect("enrolling a tablet")
            .payload
        })
        .collect();

    let driver = driver::Driver::start();
    let rt = tokio::runtime::Runtime::new().expect("no tokio runtime");
    rt.block_on(async {
        let app = driver.launch_with(&teacher, &["--listen", &addr]).await;
        app.find("[data-testid=dashboard]").await;
        app.until("30 groups", &format!("return {};", groups_shown())).await;

        let mut quiet = Vec::new();
        for _ in 0..25 {
            quiet.push(time_back_to_overview(&app).await);
        }

        // The tablets join (each with its own certificate) and prepare their work apart.
        let started = Instant::now();
        let mut tablets = Vec::new();
        // Each distinct blob once, as the teacher's device stores it.
        let mut distinct = std::collections::HashMap::new();
        for (i, payload) in payloads.into_iter().enumerate() {
            let dir = root.path().join(format!("tablet-{i}"));
            let joined = dir.clone();
            tokio::task::spawn_blocking(move || hugme_node::enrolment::join(&hugme_node::membership::open(&joined).unwrap(), &payload))
                .await
                .expect("the join task")
                .expect("a tablet joins the teacher's app");
            let pupils = Arc::new(App::open(&dir).expect("the tablet's folder"));
            bring_work(&pupils, &class, i, photos);
            for blob in pupils.store().blobs().expect("the tablet's media") {
                distinct.insert(blob.hash, blob.size);
            }
            tablets.push(Arc::new(Node::of(pupils).expect("the tablet's hub")));
        }
        let bytes: u64 = distinct.values().sum();
        println!(
            "{GROUPS} tablets joined and made their work in {:.1} s: {photos} photos each, {:.0} MB in all",
            started.elapsed().as_secs_f64(),
            bytes as f64 / 1e6
        );

        let before = media_bytes(&teacher);
        // All 30 on the network at once, on a runtime of their own (as 30 tablets would be).
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let fleet = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("the tablets' runtime");
            runtime.block_on(async move {
                let reach = Reach {
                    discovery: false,
                    fallbacks: true,
                    typed: Vec::new(),
                };
                for hub in tablets {
                    hugme_node::neighbours::start(hub, "127.0.0.1:9".parse().unwrap(), reach.clone())
                        .expect("a tablet's network side");
                }
                let _ = stopped.await;
            });
        });
        let syncing = Instant::now();

        let mut busy = Vec::new();
        let mut shown = None;
        let all_arrived = loop {
            busy.push(time_back_to_overview(&app).await);
            if shown.is_none() && everything_shown(&app).await {
                shown = Some(syncing.elapsed());
            }
            // Done when every tablet's photos are in the teacher's media folder (read from
            // the file system: the app holds the database).
            if shown.is_some() && media_bytes(&teacher) >= before + bytes {
                break syncing.elapsed();
            }
            assert!(
                syncing.elapsed() < Duration::from_secs(900),
                "the tablets' work did not arrive within 15 minutes"
            );
        };
        app.quit().await;
        let _ = stop.send(());
        let _ = fleet.join();

        println!("from tapping back on a review to the overview of {GROUPS} groups painted, ms:");
        println!("  class quiet             {}", summary(&mut quiet));
        println!("  while {GROUPS} tablets sync   {}", summary(&mut busy));
        println!(
            "every tablet's new project on the overview (live) {:.1} s after they went on the network; all their photos in the teacher's media folder after {:.1} s",
            shown.unwrap_or_default().as_secs_f64(),
            all_arrived.as_secs_f64()
        );

    });
}

/// Bytes of whole media files in a data folder (not those still arriving).
fn media_bytes(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.join("blobs")];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "tmp" && name != "partial" {
                    stack.push(path);
                }
            } else {
                total += entry.metadata().map_or(0, |m| m.len());
            }
        }
    }
    total
}

/// JavaScript: whether the overview shows all the groups.
fn groups_shown() -> String {
    format!("document.querySelectorAll('[data-testid=group-overview]').length === {GROUPS}")
}

/// A new project of group `i` on the tablet, with a question and `photos` photos.
fn bring_work(app: &App, class: &hugme_model::Class, i: usize, photos: usize) {
    let group = &class.groups[i].id;
    let id = app
        .create_project(&class.id, group, &format!("Uusi työ {}", i + 1))
        .expect("a project on the tablet");
    let mut page = Page::new("Kuvat");
    for n in 0..photos {
        let png = picture(i * 1000 + n);
        let block = app
            .import_block(&format!("kuva-{n}.png"), &png)
            .expect("importing a generated picture");
        page.blocks.push(block);
    }
    app.update_project(&id, |p| {
        p.research
            .questions
            .push(ResearchQuestion::new(&format!("Kysymys {}", i + 1)));
        p.content.pages.push(page);
        Ok(())
    })
    .expect("the work on the tablet");
}

/// Whether the overview shows every group's second project (the tablets' new work).
async fn everything_shown(app: &driver::App) -> bool {
    let script = format!(
        "return [...document.querySelectorAll('[data-testid=group-overview]')] \
         .filter(g => g.querySelectorAll('[data-testid=project-overview]').length >= 2).length === {GROUPS};"
    );
    app.client
        .execute(&script, vec![])
        .await
        .expect("reading the overview")
        == serde_json::Value::Bool(true)
}

/// Opens the first project's review, then times tapping "back" until the overview of all
/// groups is painted.
async fn time_back_to_overview(app: &driver::App) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1]; \
         document.querySelector('[data-testid=project-overview] button.open').click(); \
         const review = () => {{ \
           const back = document.querySelector('[data-testid=back-dashboard]'); \
           if (!back) {{ requestAnimationFrame(review); return; }} \
           const t0 = performance.now(); back.click(); \
           const painted = () => {{ \
             if ({}) {{ requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0))); }} \
             else {{ requestAnimationFrame(painted); }} }}; \
           painted(); }}; \
         review();",
        groups_shown()
    );
    let v = app
        .client
        .execute_async(&script, vec![])
        .await
        .expect("timing the overview");
    v.as_f64().expect("a number of milliseconds")
}

/// "median M, p95 P, max X (n samples)".
fn summary(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:>4.0}, p95 {:>4.0}, max {:>4.0}  ({} samples)",
        at(0.5),
        at(0.95),
        v[v.len() - 1],
        v.len()
    )
}

fn arg(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1)?.parse().ok()
}
