//! A group's lesson on a shared tablet: start a project, fill the phenomenon and two research
//! questions, add a text page and a photo from a file, quit, start again (all still there),
//! then pass the tablet to another group (none of it visible).

use std::path::Path;

use crate::driver::Driver;

const TITLE: &str = "Jäätyvä järvi";
const PHENOMENON: &str = "Miksi järven jää sulaa keväällä?";
const QUESTIONS: [&str; 2] = ["Kuinka paksua jää on?", "Milloin jää sulaa?"];
const HEADING: &str = "Havaintoja rannalta";

fn photo() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../assets/photos/storm.jpg"
    ))
}

use crate::headless::sample_class;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_groups_work_survives_a_restart_and_stays_with_the_group() {
    let data = tempfile::tempdir().unwrap();
    sample_class(data.path());
    let exports = tempfile::tempdir().unwrap();
    let driver = Driver::start();

    // First lesson: the Ketut group starts a project and works on it.
    let app = driver
        .launch_with(
            data.path(),
            &["--exports", exports.path().to_str().unwrap()],
        )
        .await;
    app.find("[data-testid=group-card][data-group=Ketut]").await;
    app.shot("01-start").await;
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.find("[data-testid=new-project-title]").await;
    app.shot("02-group-projects").await;
    app.type_into("[data-testid=new-project-title]", TITLE)
        .await;
    app.click("[data-testid=start-project]").await;
    app.find("[data-testid=step-phenomenon]").await;
    app.shot("03-project-home").await;

    app.click("[data-testid=step-phenomenon]").await;
    app.type_into("[data-testid=phenomenon-title]", PHENOMENON)
        .await;
    app.saved().await;
    app.shot("04-step-phenomenon").await;
    app.click("[data-testid=back-home]").await;

    app.click("[data-testid=step-research-questions]").await;
    for (n, question) in QUESTIONS.iter().enumerate() {
        app.click("[data-testid=add-question]").await;
        app.until(
            "the new question",
            &format!(
                "return document.querySelectorAll('[data-testid=question-text]').length === {};",
                n + 1
            ),
        )
        .await;
        let fields = app.all("[data-testid=question-text]").await;
        fields[n].click().await.unwrap();
        fields[n].send_keys(question).await.unwrap();
    }
    app.saved().await;
    app.shot("05-step-research-questions").await;
    app.click("[data-testid=back-home]").await;

    app.click("[data-testid=step-content]").await;
    app.click("[data-testid=add-page]").await;
    app.find("[data-testid=page-editor]").await;
    app.click("[data-testid=add-text]").await;
    let text = app.find("[data-testid=block-text]").await;
    // WebDriver's Enter key (U+E007), as a keyboard sends it.
    let typed = format!("# {HEADING}\nJää oli **ohutta** rannan lähellä.\n- kaislikko\n- laituri")
        .replace('\n', "\u{E007}");
    text.send_keys(&typed).await.unwrap();
    app.saved().await;
    app.click("[data-testid=text-done]").await;
    let file = app.find("[data-testid=photo-file]").await;
    file.send_keys(photo().to_str().unwrap())
        .await
        .expect("choosing the photo file");
    app.until(
        "the photo on the page",
        "const img = document.querySelector('[data-testid=block-picture]'); \
         return !!img && img.complete && img.naturalWidth > 0;",
    )
    .await;
    app.saved().await;
    app.shot("06-content-page").await;

    // A drawing: a stroke of pen events on the canvas, then "add".
    app.click("[data-testid=add-drawing]").await;
    app.find("[data-testid=drawing-canvas]").await;
    app.client
        .execute(
            "const c = document.querySelector('[data-testid=drawing-canvas]'); \
             const r = c.getBoundingClientRect(); \
             const at = (type, i) => c.dispatchEvent(new PointerEvent(type, { bubbles: true, \
               pointerId: 7, pointerType: 'pen', pressure: 0.8, \
               clientX: r.left + r.width * (0.2 + 0.06 * i), clientY: r.top + r.height * (0.5 + 0.3 * Math.sin(i)) })); \
             at('pointerdown', 0); for (let i = 1; i < 10; i++) at('pointermove', i); at('pointerup', 10);",
            vec![],
        )
        .await
        .expect("drawing on the canvas");
    app.shot("07-drawing-pad").await;
    app.click("[data-testid=drawing-save]").await;
    app.until(
        "the drawing on the page",
        "return document.querySelectorAll('[data-kind=drawing] img').length === 1;",
    )
    .await;
    app.saved().await;
    app.click("[data-testid=back-pages]").await;
    app.click("[data-testid=back-home]").await;
    app.click("[data-testid=step-sharing]").await;
    app.find("[data-testid=editor-sharing]").await;
    app.shot("08-step-sharing").await;
    app.click("[data-testid=back-home]").await;
    app.saved().await;
    app.shot("09-project-home-after").await;

    // The project as web pages for the school: written to the exports folder.
    app.click("[data-testid=export-html]").await;
    app.until(
        "the export",
        "const r = document.querySelector('[data-testid=export-result]'); return !!r && r.innerText.includes('.zip');",
    )
    .await;
    let written: Vec<_> = std::fs::read_dir(exports.path())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(written.len(), 1, "one export file, and no partial left");
    let name = written[0].file_name().to_string_lossy().into_owned();
    assert!(
        name.starts_with("jaatyva-jarvi-") && name.ends_with(".zip"),
        "{name}"
    );
    assert!(
        written[0].metadata().unwrap().len() > 50_000,
        "the photo is not in the export"
    );
    app.quit().await;

    // Next lesson: the app starts again; everything is still there.
    let app = driver.launch(data.path()).await;
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.until(
        "the project in the group's list",
        &format!("return [...document.querySelectorAll('[data-testid=project-card]')].some(c => c.innerText.includes('{TITLE}'));"),
    )
    .await;
    let cards = app.all("[data-testid=project-card]").await;
    let mut opened = false;
    for card in cards {
        if card.text().await.unwrap().contains(TITLE) {
            card.click().await.unwrap();
            opened = true;
            break;
        }
    }
    assert!(
        opened,
        "the project {TITLE} is not in the group's list after a restart"
    );
    app.click("[data-testid=step-phenomenon]").await;
    let title = app.find("[data-testid=phenomenon-title]").await;
    assert_eq!(
        title.prop("value").await.unwrap().as_deref(),
        Some(PHENOMENON)
    );
    app.click("[data-testid=back-home]").await;
    app.click("[data-testid=step-research-questions]").await;
    app.find("[data-testid=question-text]").await;
    let mut questions = Vec::new();
    for field in app.all("[data-testid=question-text]").await {
        questions.push(field.prop("value").await.unwrap().unwrap_or_default());
    }
    assert_eq!(questions, QUESTIONS);
    app.click("[data-testid=back-home]").await;
    app.click("[data-testid=step-content]").await;
    app.click("[data-testid=page-card]").await;
    let shown = app
        .find("[data-testid=block-text-shown]")
        .await
        .html(true)
        .await
        .unwrap();
    assert!(
        shown.contains(&format!("<h2>{HEADING}</h2>")) && shown.contains("<strong>ohutta</strong>"),
        "the text block shows {shown:?}"
    );
    assert_eq!(
        app.all("[data-kind=drawing] img").await.len(),
        1,
        "the drawing is gone"
    );
    app.until(
        "the photo after a restart",
        "const img = document.querySelector('[data-testid=block-picture]'); \
         return !!img && img.complete && img.naturalWidth > 0;",
    )
    .await;
    app.shot("10-after-restart").await;

    // The tablet passes to the next group: nothing of Ketut's work is on screen.
    app.click("[data-testid=switch-group]").await;
    app.find("[data-testid=group-card]").await;
    let start = app.body_text().await;
    for secret in [TITLE, PHENOMENON, QUESTIONS[0], QUESTIONS[1], HEADING] {
        assert!(
            !start.contains(secret),
            "{secret:?} still on the start screen"
        );
    }
    app.click("[data-testid=group-card][data-group=Otters]")
        .await;
    app.find("[data-testid=new-project-title]").await;
    let otters = app.body_text().await;
    for secret in [TITLE, PHENOMENON, QUESTIONS[0], QUESTIONS[1], HEADING] {
        assert!(
            !otters.contains(secret),
            "{secret:?} visible to the next group"
        );
    }
    app.shot("11-next-group").await;

    // English at run time, on the same screen.
    app.click("[data-testid=language] option[value=en]").await;
    app.until(
        "English",
        "return document.body.innerText.includes('Start a new project');",
    )
    .await;
    app.shot("12-next-group-english").await;
    app.quit().await;
}
