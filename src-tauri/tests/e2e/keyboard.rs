//! The keyboard alone (a 2-in-1's, folded back): a group opens its project, names its
//! phenomenon and adds a research question with Tab, Enter and typing, and every control
//! reached shows where the focus is.

use std::time::Duration;

use crate::driver::App;
use crate::driver::Driver;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// Presses Tab until the focus is on the element `css` (at most 80 times); checks that the
/// focused element shows it is focused (an outline or a changed border).
async fn tab_to(app: &App, css: &str) {
    for _ in 0..80 {
        let there = app
            .client
            .execute(
                "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
                vec![serde_json::Value::from(css)],
            )
            .await
            .expect("script");
        if there == serde_json::Value::Bool(true) {
            let visible = app
                .client
                .execute(
                    "const s = getComputedStyle(document.activeElement); \
                     return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;",
                    vec![],
                )
                .await
                .expect("script");
            assert_eq!(
                visible,
                serde_json::Value::Bool(true),
                "{css}: no visible focus"
            );
            return;
        }
        press(app, TAB).await;
    }
    app.shot("failure").await;
    panic!("Tab never reached {css}");
}

/// Keys to whatever has the focus, as a keyboard sends them.
async fn press(app: &App, keys: &str) {
    let focused = app
        .client
        .active_element()
        .await
        .expect("a focused element");
    focused.send_keys(keys).await.expect("keys");
    tokio::time::sleep(Duration::from_millis(30)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_opens_its_project_names_its_phenomenon_and_adds_a_question_by_keyboard() {
    let data = tempfile::tempdir().unwrap();
    {
        let app = hugme_app::App::open(data.path()).expect("cannot open the data folder");
        hugme_app::sample::create(&app).expect("cannot make the sample class");
    }
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.find("[data-testid=group-card][data-group=Ketut]").await;

    tab_to(&app, "[data-testid=group-card][data-group=Ketut]").await;
    press(&app, ENTER).await;
    app.find("[data-testid=project-card]").await;
    tab_to(&app, "[data-testid=project-card]").await;
    press(&app, ENTER).await;
    app.find("[data-testid=step-phenomenon]").await;

    tab_to(&app, "[data-testid=step-phenomenon]").await;
    press(&app, ENTER).await;
    app.find("[data-testid=editor-phenomenon]").await;
    tab_to(&app, "[data-testid=phenomenon-title]").await;
    // Select what is there and type over it.
    press(&app, "\u{E009}a").await; // Ctrl+A
    press(&app, "Miksi lumi narisee?").await;
    app.saved().await;
    let text = app.body_text().await;
    assert!(text.contains("Miksi lumi narisee?"), "{text}");
    tab_to(&app, "[data-testid=back-home]").await;
    press(&app, ENTER).await;

    tab_to(&app, "[data-testid=step-research-questions]").await;
    press(&app, ENTER).await;
    app.find("[data-testid=editor-research-questions]").await;
    let before = app.all("[data-testid=question-text]").await.len();
    tab_to(&app, "[data-testid=add-question]").await;
    press(&app, ENTER).await;
    app.until(
        "a new question",
        &format!(
            "return document.querySelectorAll('[data-testid=question-text]').length === {};",
            before + 1
        ),
    )
    .await;
    // The new (last) question's field, by Tab from the top of the screen.
    app.client
        .execute(
            "document.activeElement.blur(); window.scrollTo(0, 0);",
            vec![],
        )
        .await
        .unwrap();
    let fields = app.all("[data-testid=question-text]").await;
    for _ in 0..80 {
        let on_last = app
            .client
            .execute(
                "const f = document.querySelectorAll('[data-testid=question-text]'); \
                 return document.activeElement === f[f.length - 1];",
                vec![],
            )
            .await
            .unwrap();
        if on_last == serde_json::Value::Bool(true) {
            break;
        }
        press(&app, TAB).await;
    }
    assert_eq!(fields.len(), before + 1);
    press(&app, "Miksi lumi narisee pakkasella?").await;
    app.saved().await;
    app.shot("63-keyboard-question").await;
    let text = app.body_text().await;
    assert!(text.contains("Miksi lumi narisee pakkasella?"), "{text}");
    app.quit().await;
}
