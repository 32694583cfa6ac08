//! axe-core (Deque's accessibility engine, `ui/node_modules/axe-core`, pinned in
//! ui/package.json) on every main screen of the real app: the start screen, the project home,
//! each of the eight step editors, a content page, the teacher's overview, its guide and a
//! project's review (the guide's buttons lead where they say). No serious or critical violation of WCAG 2.2 A and AA may be left; each screen's
//! report is saved beside the screenshots (`axe-<screen>.json`).

use std::path::Path;

use crate::driver::{App, Driver};

const STEPS: [&str; 8] = [
    "agreement",
    "phenomenon",
    "subjects",
    "goals",
    "research-questions",
    "tools",
    "content",
    "sharing",
];

/// Runs axe on the screen shown; saves its report; fails on a serious or critical violation.
async fn audit(app: &App, screen: &str) {
    let axe = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core is installed (npm ci in ui/)");
    // Half a megabyte of script: a busy machine may take a while, so a few tries.
    let load = format!("if (!window.axe) {{ {axe} }} return !!window.axe;");
    let mut loaded = None;
    for _ in 0..3 {
        match app.client.execute(&load, vec![]).await {
            Ok(serde_json::Value::Bool(true)) => {
                loaded = Some(());
                break;
            }
            other => eprintln!("{screen}: axe not loaded yet: {other:?}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    loaded.unwrap_or_else(|| panic!("{screen}: axe never loaded"));
    let report = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values:
               ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
               .then((r) => done(JSON.stringify({ violations: r.violations, passes: r.passes.length })))
               .catch((e) => done(JSON.stringify({ error: String(e) })));",
            vec![],
        )
        .await
        .expect("axe runs");
    let text = report.as_str().expect("a JSON report").to_owned();
    std::fs::write(app.shots().join(format!("axe-{screen}.json")), &text).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(report["error"].is_null(), "{screen}: {text}");
    assert!(
        report["passes"].as_u64() > Some(5),
        "{screen}: axe looked: {text}"
    );
    let grave: Vec<String> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let nodes: Vec<&str> = v["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|n| n["html"].as_str())
                .take(3)
                .collect();
            format!("{} ({}): {nodes:?}", v["id"], v["impact"])
        })
        .collect();
    assert!(grave.is_empty(), "{screen}: {grave:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_screen_has_no_serious_or_critical_accessibility_violation() {
    // A group's tablet: the start screen, the project home, each step, a content page.
    let data = tempfile::tempdir().unwrap();
    crate::headless::sample_class(data.path());
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.find("[data-testid=group-card][data-group=Ketut]").await;
    audit(&app, "start").await;
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.click("[data-testid=project-card]").await;
    app.find("[data-testid=step-phenomenon]").await;
    audit(&app, "project-home").await;
    for step in STEPS {
        app.click(&format!("[data-testid=step-{step}]")).await;
        app.find(&format!("[data-testid=editor-{step}]")).await;
        audit(&app, &format!("step-{step}")).await;
        if step == "content" {
            app.click("[data-testid=page-card]").await;
            app.find("[data-testid=page-editor]").await;
            audit(&app, "content-page").await;
            app.click("[data-testid=back-pages]").await;
            app.find("[data-testid=editor-content]").await;
        }
        app.click("[data-testid=back-home]").await;
        app.find("[data-testid=step-phenomenon]").await;
    }
    app.quit().await;

    // The teacher's device: the overview and a project's review.
    let teacher = tempfile::tempdir().unwrap();
    {
        let folder = hugme_node::membership::open(teacher.path()).unwrap();
        let class =
            hugme_node::enrolment::create_class_as_teacher(&folder, "5B", &["Ketut", "Karhut"])
                .unwrap();
        hugme_app::sample::fill_class(&folder, &class, "2026-11-30").unwrap();
    }
    let app = driver.launch(teacher.path()).await;
    app.find("[data-testid=group-overview]").await;
    audit(&app, "teacher-overview").await;
    // The teacher's guide, and its buttons to where each part is done.
    app.click("[data-testid=show-guide]").await;
    app.until(
        "the guide's eight parts",
        "return document.querySelectorAll('[data-testid=guide-part]').length === 8;",
    )
    .await;
    audit(&app, "guide").await;
    app.shot("64-teacher-guide").await;
    app.click("[data-testid=guide-part][data-part=class] [data-testid=guide-go]")
        .await;
    app.find("[data-testid=class-editor]").await;
    app.click("[data-testid=guide-part][data-part=goals] summary")
        .await;
    app.click("[data-testid=guide-part][data-part=goals] [data-testid=guide-go]")
        .await;
    app.until(
        "the goal for all groups, ready to type",
        "return document.activeElement?.id === 'goal-all';",
    )
    .await;
    app.click("[data-testid=project-overview] button.open")
        .await;
    app.find("[data-testid=project-review]").await;
    audit(&app, "review").await;
    app.quit().await;
}
