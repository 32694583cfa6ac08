//! The app in each of its five languages: the language picker switches at run time, every
//! text on the start screen and the project home changes language, no placeholder or
//! catalogue key shows, nothing runs off the window's side. Screenshots of both screens in
//! each language: look at them. Then read-aloud, by the device's offline engine.

use crate::driver::{App, Driver};

/// The languages in the picker's order, with a word each screen must then show.
const LANGUAGES: [(&str, &str); 5] = [
    ("fi", "Kuka"),
    ("sv", "Vem"),
    ("en", "Who"),
    ("et", "Kes"),
    ("nb", "Hvem"),
];

/// No message key, unfilled placeholder or horizontal overflow on the screen shown.
async fn looks_whole(app: &App, what: &str) {
    let text = app.body_text().await;
    for leak in ["{", "}", "error.", "teacher.", "start.", "step."] {
        assert!(!text.contains(leak), "{what}: {leak:?} shows in {text:?}");
    }
    app.until(
        &format!("{what}: nothing wider than the window"),
        "return document.documentElement.scrollWidth <= window.innerWidth;",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_of_the_five_languages_shows_the_start_screen_and_the_project_home_whole() {
    let data = tempfile::tempdir().unwrap();
    crate::headless::sample_class(data.path());
    let driver = Driver::start();
    let app = driver.launch(data.path()).await;
    app.find("[data-testid=group-card][data-group=Ketut]").await;
    let mut headings = Vec::new();
    for (locale, word) in LANGUAGES {
        app.click(&format!("[data-testid=language] option[value={locale}]"))
            .await;
        app.until(
            &format!("the start screen in {locale}"),
            &format!(
                "return document.documentElement.lang === '{locale}' && \
                 document.querySelector('h1')?.innerText.includes('{word}');"
            ),
        )
        .await;
        looks_whole(&app, &format!("start screen, {locale}")).await;
        headings.push(app.text_of("h1").await);
        app.shot(&format!("60-start-{locale}")).await;
    }
    headings.sort();
    headings.dedup();
    assert_eq!(headings.len(), 5, "one heading per language: {headings:?}");

    // The project home, language by language (the choice stays while the group works).
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.click("[data-testid=project-card]").await;
    app.find("[data-testid=step-phenomenon]").await;
    let mut homes = Vec::new();
    for (locale, _) in LANGUAGES {
        app.click(&format!("[data-testid=language] option[value={locale}]"))
            .await;
        app.until(
            &format!("the project home in {locale}"),
            &format!("return document.documentElement.lang === '{locale}';"),
        )
        .await;
        looks_whole(&app, &format!("project home, {locale}")).await;
        homes.push(app.text_of("[data-testid=step-phenomenon]").await);
        app.shot(&format!("61-project-home-{locale}")).await;
    }
    homes.sort();
    homes.dedup();
    assert_eq!(
        homes.len(),
        5,
        "the steps say their names in each language: {homes:?}"
    );

    // Large text, in the language with the longest words: everything scales, nothing runs
    // off the side.
    app.click("[data-testid=large-text]").await;
    app.until(
        "large text",
        "return getComputedStyle(document.documentElement).fontSize === '24px';",
    )
    .await;
    looks_whole(&app, "project home, large text").await;
    app.shot("61-project-home-large-text").await;
    app.click("[data-testid=large-text]").await;

    // Read aloud, in Finnish: the step's title and prompt, then the pupils' own text. The
    // WebView here has no voices, so the device's offline engine speaks: its sound's bytes.
    app.click("[data-testid=language] option[value=fi]").await;
    app.click("[data-testid=step-phenomenon]").await;
    app.click("[data-testid=editor-phenomenon] h1 [data-testid=read-aloud]")
        .await;
    let spoke = "return +(document.querySelector('[data-testid=editor-phenomenon] h1 \
                 [data-testid=read-aloud]')?.dataset.spoke ?? 0) > 20000;";
    app.until("the step read aloud", spoke).await;
    app.shot("62-read-aloud").await;
    app.click(".field-wrap [data-testid=read-aloud]").await;
    app.until(
        "a pupil's text read aloud",
        "return +(document.querySelector('.field-wrap [data-testid=read-aloud]')?.dataset.spoke \
         ?? 0) > 4000;",
    )
    .await;
    app.quit().await;
}
