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
/// Presses Tab until the focus is on the element `css` (at most 80 times). Whenever the
/// WebView counts that focus as the keyboard's (`:focus-visible`), the app must draw it (an
/// outline of 2 px or more); returns whether it did count it so (most must be).
async fn tab_to(app: &App, css: &str) -> bool {
    // One look: where the focus is, and how it shows.
    let look = "const e = document.activeElement; \
                if (!e || !e.matches(arguments[0])) return 'elsewhere'; \
                if (!e.matches(':focus-visible')) return 'not-keyboard'; \
                const s = getComputedStyle(e); \
                return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 \
                  ? 'shown' : 'hidden';";
    for _ in 0..80 {
        let seen = app
            .client
            .execute(look, vec![serde_json::Value::from(css)])
            .await
            .expect("script");
        match seen.as_str().unwrap_or_default() {
            "shown" => return true,
            "not-keyboard" => return false,
            "hidden" => panic!("{css}: focused by the keyboard, but no visible focus"),
            _ => press(app, TAB).await,
        }
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

    let mut shown = 0;
    shown += tab_to(&app, "[data-testid=group-card][data-group=Ketut]").await as usize;
    press(&app, ENTER).await;
    app.find("[data-testid=project-card]").await;
    shown += tab_to(&app, "[data-testid=project-card]").await as usize;
    press(&app, ENTER).await;
    app.find("[data-testid=step-phenomenon]").await;

    shown += tab_to(&app, "[data-testid=step-phenomenon]").await as usize;
    press(&app, ENTER).await;
    app.find("[data-testid=editor-phenomenon]").await;
    shown += tab_to(&app, "[data-testid=phenomenon-title]").await as usize;
    // Select what is there and type over it.
    press(&app, "\u{E009}a").await; // Ctrl+A
    press(&app, "Miksi lumi narisee?").await;
    app.saved().await;
    let text = app.body_text().await;
    assert!(text.contains("Miksi lumi narisee?"), "{text}");
    shown += tab_to(&app, "[data-testid=back-home]").await as usize;
    press(&app, ENTER).await;

    shown += tab_to(&app, "[data-testid=step-research-questions]").await as usize;
    press(&app, ENTER).await;
    app.find("[data-testid=editor-research-questions]").await;
    let before = app.all("[data-testid=question-text]").await.len();
    shown += tab_to(&app, "[data-testid=add-question]").await as usize;
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
    // The WebView counted the Tab key's focus as the keyboard's nearly everywhere: the check
    // above was made, not skipped.
    assert!(shown >= 6, "visible focus checked on {shown} of 8 controls");
    let text = app.body_text().await;
    assert!(text.contains("Miksi lumi narisee pakkasella?"), "{text}");
    app.quit().await;
}
