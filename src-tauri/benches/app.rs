//! The app's start-up, memory and big-page figures, each against a minimal Tauri 2 window
//! showing one static page (`benches/minimal-window`), built and measured in the same run
//! under the same Xvfb display. Prints medians and ratios; asserts nothing.
//!
//! `cargo bench -p hugme-studio --bench app [-- --runs 7] [--before PATH]`
//!
//! With `--before PATH` (another build of the app, say of the commit before a change, built
//! with `cargo build --release -p hugme-studio` in a checkout of it), start-up and memory are
//! also measured for that build, interleaved in the same runs, and compared with this one.
//!
//! - Start-up: from spawning the process to its first screen painted (the page's second
//!   animation frame), as each program reports it on stdout. Ours: the start screen with the
//!   class's group cards, and the project home (`--open-project`).
//! - Memory: PSS (from /proc/PID/smaps_rollup) of the program and every process under it
//!   (WebKit's web and network processes), 3 s after it painted, idle. Ours: the project home.
//! - A content page of 200 and of 1,000 photo blocks: loading the project over the IPC, and
//!   from tapping the page to its first paint, measured in the page through WebDriver.

#[allow(dead_code)]
#[path = "../tests/e2e/driver.rs"]
mod driver;
#[path = "support/picture.rs"]
mod picture;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_model::{BlockId, Page, ProjectId};
use picture::picture;

fn main() {
    let runs = arg("--runs").unwrap_or(7);
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_hugme-studio"));
    let minimal = build_minimal_window(&ours);
    let data = tempfile::tempdir().expect("no temporary folder");
    let (home_project, big) = fill(data.path(), &[200, 1000]);
    let driver = driver::Driver::start();
    let profile = |name: &str| driver.home.path().join(name);
    let data_arg = data.path().to_str().expect("data path is not UTF-8");

    println!(
        "runs: {runs}, display {} (Xvfb, software rendering)",
        driver.display
    );
    let mut min_start = Vec::new();
    let mut min_pss = Vec::new();
    let (mut our_start, mut our_home, mut our_pss) = (Vec::new(), Vec::new(), Vec::new());
    let before = before_arg();
    let (mut before_start, mut before_home, mut before_pss) = (Vec::new(), Vec::new(), Vec::new());
    // One app build's run: its start screen's start-up, then the project home's start-up and
    // memory.
    let app_run = |program: &Path, profile: &Path| {
        let (start, _) = run(
            program,
            &["--data", data_arg, "--no-discovery"],
            profile,
            &driver.display,
            false,
        );
        let args = [
            "--data",
            data_arg,
            "--no-discovery",
            "--open-project",
            home_project.as_str(),
        ];
        let (home, pss) = run(program, &args, profile, &driver.display, true);
        (start, home, pss)
    };
    for _ in 0..runs {
        if let Some(before) = &before {
            let (start, home, pss) = app_run(before, &profile("before"));
            before_start.push(start);
            before_home.push(home);
            before_pss.push(pss);
        }
        let (ms, pss) = run(&minimal, &[], &profile("minimal"), &driver.display, true);
        min_start.push(ms);
        min_pss.push(pss);
        let (start, home, pss) = app_run(&ours, &profile("ours"));
        our_start.push(start);
        our_home.push(home);
        our_pss.push(pss);
    }
    let (ms, mp) = (median(&mut min_start), median(&mut min_pss));
    let (os, oh, op) = (
        median(&mut our_start),
        median(&mut our_home),
        median(&mut our_pss),
    );
    println!("start-up to first paint, median ms:");
    println!("  minimal window (static page)    {ms:>7.0}");
    println!(
        "  app, start screen (group cards) {os:>7.0}   {:.2}x  (target <= 1.3x)",
        os / ms
    );
    println!(
        "  app, project home               {oh:>7.0}   {:.2}x",
        oh / ms
    );
    println!("memory, PSS of all processes, idle, median MB:");
    println!("  minimal window                  {:>7.1}", mp / 1024.0);
    println!(
        "  app on the project home         {:>7.1}   {:.2}x  (target <= 1.3x)",
        op / 1024.0,
        op / mp
    );

    if before.is_some() {
        let (bs, bh, bp) = (
            median(&mut before_start),
            median(&mut before_home),
            median(&mut before_pss),
        );
        println!("this build against the build before (--before), same runs, medians:");
        println!(
            "  start screen  before {bs:>7.0} ms   this {os:>7.0} ms   {:.2}x",
            os / bs
        );
        println!(
            "  project home  before {bh:>7.0} ms   this {oh:>7.0} ms   {:.2}x",
            oh / bh
        );
        println!(
            "  memory (PSS)  before {:>7.1} MB   this {:>7.1} MB   {:.2}x",
            bp / 1024.0,
            op / 1024.0,
            op / bp
        );
    }

    // The teacher's overview of a class of 30 groups: start to the overview painted. The
    // app's own start (to its start screen, above) is most of it; the rest is the overview.
    let teacher = tempfile::tempdir().expect("no temporary folder");
    let names: Vec<String> = (0..30).map(|i| format!("Ryhmä {}", i + 1)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let class = hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(teacher.path()).unwrap(),
        "5B",
        &names,
    )
    .expect("the teacher's class");
    {
        let app = App::open(teacher.path()).expect("opens");
        hugme_app::sample::fill_class(&app, &class, "2026-11-25").expect("30 projects");
    }
    let teacher_arg = teacher.path().to_str().expect("data path is not UTF-8");
    let mut overview = Vec::new();
    for _ in 0..runs {
        let args = [
            "--data",
            teacher_arg,
            "--no-discovery",
            "--listen",
            "127.0.0.1:0",
        ];
        let (ms, _) = run(&ours, &args, &profile("teacher"), &driver.display, false);
        overview.push(ms);
    }
    let ov = median(&mut overview);
    println!(
        "the teacher's overview of 30 groups: start to painted {ov:.0} ms, of which the overview {:.0} ms beyond the app's start to its start screen (target <= 500 ms)",
        ov - os
    );

    let rt = tokio::runtime::Runtime::new().expect("no tokio runtime");
    rt.block_on(async {
        for (blocks, id) in &big {
            let app = driver.launch_with(data.path(), &["--open-project", id.as_str()]).await;
            app.find("[data-testid=step-content]").await;
            let mut load = Vec::new();
            let mut paint = Vec::new();
            for _ in 0..runs {
                load.push(time_load(&app, id).await);
                app.click("[data-testid=step-content]").await;
                app.find("[data-testid=page-card]").await;
                paint.push(time_page(&app, *blocks).await);
                app.click("[data-testid=back-pages]").await;
                app.click("[data-testid=back-home]").await;
                app.find("[data-testid=step-content]").await;
            }
            let (l, p) = (median(&mut load), median(&mut paint));
            println!(
                "a page of {blocks} photo blocks: project load over IPC {l:.0} ms, tap to first paint {p:.0} ms, both {:.0} ms (target <= 300 ms for 200)",
                l + p
            );
            app.quit().await;
        }
    });
}

fn arg(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1)?.parse().ok()
}

/// The `--before PATH` build of the app, if one was given (and exists).
fn before_arg() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--before")?;
    let path = PathBuf::from(args.get(at + 1)?);
    assert!(
        path.is_file(),
        "--before {}: no such program",
        path.display()
    );
    Some(path)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Builds the reference window with the same profile and target folder as this bench.
fn build_minimal_window(ours: &Path) -> PathBuf {
    let release = ours.parent().expect("the app binary has a folder");
    let target = release.parent().expect("the profile folder has a parent");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "hugme-minimal-window"])
        .env("CARGO_TARGET_DIR", target)
        .status()
        .expect("cargo did not run");
    assert!(status.success(), "building the minimal window failed");
    target.join("release").join("hugme-minimal-window")
}

/// A sample class, and projects whose one page holds `n` photo blocks each (200 distinct
/// pictures, repeated for bigger pages). Returns a sample project and the big ones.
fn fill(dir: &Path, sizes: &[usize]) -> (String, Vec<(usize, String)>) {
    let app = App::open(dir).expect("cannot open the data folder");
    let demo = hugme_app::sample::create(&app).expect("cannot make the sample class");
    let group = demo.class.groups[0].id.clone();
    let blocks: Vec<_> = (0..200)
        .map(|i| {
            let png = picture(i);
            app.import_block(&format!("photo-{i}.png"), &png)
                .expect("importing a generated picture")
        })
        .collect();
    let mut big = Vec::new();
    for &n in sizes {
        let id = app
            .create_project(&demo.class.id, &group, &format!("{n} photos"))
            .expect("cannot make a project");
        app.update_project(&id, |p| {
            let mut page = Page::new(&format!("{n} photos"));
            for i in 0..n {
                let mut block = blocks[i % blocks.len()].fresh_copy();
                block.id = BlockId::random();
                page.blocks.push(block);
            }
            p.content.pages.push(page);
            Ok(())
        })
        .expect("cannot fill the project");
        big.push((n, id.to_string()));
    }
    let home: &ProjectId = &demo.projects[0];
    (home.to_string(), big)
}

/// Starts a program, waits for its `ready` line, optionally measures the PSS of its whole
/// process tree after 3 s idle, and stops it. Returns (ms to ready, PSS in kB).
fn run(program: &Path, args: &[&str], profile: &Path, display: &str, memory: bool) -> (f64, f64) {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .env("DISPLAY", display)
        .env("HUGME_REPORT_READY", "1")
        .env("HUGME_NO_DISCOVERY", "1")
        .env("XDG_DATA_HOME", profile.join("data"))
        .env("XDG_CACHE_HOME", profile.join("cache"))
        .env("XDG_CONFIG_HOME", profile.join("config"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} did not start: {e}", program.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let ready = loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("ready") => break start.elapsed(),
            Some(_) => continue,
            None => panic!("{} ended before its first paint", program.display()),
        }
    };
    let pss = if memory {
        std::thread::sleep(Duration::from_secs(3));
        pss_tree(child.id())
    } else {
        0.0
    };
    driver::terminate(&mut child);
    (ready.as_secs_f64() * 1000.0, pss)
}

/// PSS in kB of a process and all its descendants.
fn pss_tree(root: u32) -> f64 {
    let parts = pss_parts(root);
    if std::env::var_os("HUGME_BENCH_VERBOSE").is_some() {
        let shown: Vec<String> = parts
            .iter()
            .map(|(n, kb)| format!("{n} {:.1} MB", kb / 1024.0))
            .collect();
        println!("    {}", shown.join(", "));
    }
    parts.iter().map(|(_, kb)| kb).sum()
}

/// (name, PSS in kB) of a process and each of its descendants.
fn pss_parts(root: u32) -> Vec<(String, f64)> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The name may hold spaces and parentheses: the fields start after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
            continue;
        };
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    tree.iter()
        .filter_map(|pid| {
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let kb = rollup
                .lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())?;
            Some((name.trim().to_owned(), kb))
        })
        .collect()
}

/// Milliseconds to load the project's view over the IPC, measured in the page.
async fn time_load(app: &driver::App, id: &str) -> f64 {
    let script = "const done = arguments[arguments.length - 1]; const t0 = performance.now(); \
                  window.__TAURI_INTERNALS__.invoke('project', { id: arguments[0] }) \
                  .then(() => done(performance.now() - t0), (e) => done(-1));";
    let v = app
        .client
        .execute_async(script, vec![serde_json::json!(id)])
        .await
        .expect("timing the load");
    let ms = v.as_f64().unwrap_or(-1.0);
    assert!(ms >= 0.0, "loading the project failed");
    ms
}

/// Milliseconds from tapping the page's card to the first paint of its `blocks` blocks.
async fn time_page(app: &driver::App, blocks: usize) -> f64 {
    let script = "const done = arguments[arguments.length - 1]; const want = arguments[0]; \
        const t0 = performance.now(); \
        document.querySelector('[data-testid=page-card]').click(); \
        const check = () => { \
          if (document.querySelectorAll('[data-testid=block]').length === want) { \
            requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0))); \
          } else { requestAnimationFrame(check); } }; \
        check();";
    let v = app
        .client
        .execute_async(script, vec![serde_json::json!(blocks)])
        .await
        .expect("timing the page");
    v.as_f64().expect("a number of milliseconds")
}
