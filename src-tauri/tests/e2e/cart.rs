//! A cart tablet of two classes in the real app: 5A in the morning, 6B in the afternoon. The
//! start screen lists both; each class's group sees its own project and nothing of the other
//! class, and the `media:` protocol serves only the shown class's pictures.

use std::path::Path;
use std::sync::Arc;

use hugme_app::App;
use hugme_node::neighbours::Reach;
use hugme_node::{enrolment, membership, shelf, Network};

use crate::driver::{App as Window, Driver};
use crate::headless::free_address;

const MORNING: &str = "Jäätyvä järvi aamulla";
const AFTERNOON: &str = "Metsän äänet iltapäivällä";
const MORNING_WORDS: &str = "Järvi jäätyy ensin rannoilta";

/// A class `name` with one group on a teacher's device serving at loopback, and the tablet at
/// `tablet` joined to it with a project of that group (and a photo stored with it): the
/// teacher's network side and the photo's hash.
fn class_on_the_cart(
    root: &Path,
    tablet: &Path,
    name: &str,
    group: &str,
    title: &str,
) -> (Network, String) {
    let teacher = root.join(format!("teacher-{name}"));
    enrolment::create_class_as_teacher(&membership::open(&teacher).unwrap(), name, &[group])
        .unwrap();
    let addr = free_address();
    let payload = enrolment::enrol(
        &membership::open(&teacher).unwrap(),
        Some(group),
        false,
        std::slice::from_ref(&addr),
        None,
    )
    .unwrap()
    .payload;
    let teachers = Arc::new(App::open(&teacher).unwrap());
    let reach = Reach {
        discovery: false,
        fallbacks: false,
        typed: Vec::new(),
    };
    let network = std::thread::spawn(move || Network::start(teachers, reach, Some(addr.as_str())))
        .join()
        .unwrap()
        .unwrap()
        .expect("the teacher's device serves");
    let (folder, payload) = (
        shelf::folder_to_join(tablet, Some(&payload.class)).unwrap(),
        payload,
    );
    // Joining runs a runtime of its own: on a plain thread, off the test's.
    let hash = std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let app = membership::open(&folder).unwrap();
                enrolment::join(&app, &payload).unwrap();
                let class = app.classes().unwrap()[0].clone();
                let group = class.group_named(group_name(&class)).unwrap().id.clone();
                app.create_project(&class.id, &group, title).unwrap();
                let photo = std::fs::read(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../assets/photos/storm.jpg"
                ))
                .unwrap();
                // Each class's own copy (a blob of the same bytes would have the same hash).
                let mut photo = photo;
                photo.extend_from_slice(title.as_bytes());
                app.store().put_blob(&photo).unwrap().hash
            })
            .join()
            .unwrap()
    });
    (network, hash)
}

fn group_name(class: &hugme_model::Class) -> &str {
    class.groups[0].name.as_str()
}

/// Whether the page can show `media://localhost/<hash>` as a picture, asked of the protocol
/// handler itself (a query of its own each time: WebKit would answer a URL it loaded before
/// from its memory cache).
async fn shows_picture(app: &Window, hash: &str) -> bool {
    let loaded = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const img = new Image();
             img.onload = () => done(img.naturalWidth > 0);
             img.onerror = () => done(false);
             img.src = 'media://localhost/' + arguments[0] + '?asked=' + Math.random();",
            vec![serde_json::json!(hash)],
        )
        .await
        .unwrap();
    loaded.as_bool().unwrap_or(false)
}

/// Whether the loopback media server (sound and video for the WebView) answers for `hash`:
/// the page asks the app for its base (with the token), this test sends the GET itself (the
/// page's CSP lets it play media from there, not fetch).
async fn serves_over_loopback(app: &Window, hash: &str) -> bool {
    let base = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('media_base').then(done, () => done(null));",
            vec![],
        )
        .await
        .unwrap();
    let base = base.as_str().expect("the media server runs").to_owned();
    let rest = base.strip_prefix("http://").expect("http");
    let (host, path) = rest.split_once('/').expect("a path");
    let request =
        format!("GET /{path}{hash} HTTP/1.1\r\nHost: {host}\r\nRange: bytes=0-15\r\n\r\n");
    let host = host.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let head = String::from_utf8_lossy(&answer[..answer.len().min(16)]).into_owned();
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.1 206")
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_tablet_shows_each_class_its_own_work_and_nothing_of_the_other() {
    let root = tempfile::tempdir().unwrap();
    let tablet = root.path().join("tablet");
    let (teacher_5a, photo_5a) = class_on_the_cart(root.path(), &tablet, "5A", "Ketut", MORNING);
    let (teacher_6b, photo_6b) = class_on_the_cart(root.path(), &tablet, "6B", "Karhut", AFTERNOON);

    let driver = Driver::start();
    let app = driver.launch(&tablet).await;
    app.until(
        "both classes on the start screen",
        "return document.querySelectorAll('[data-testid=class-card]').length === 2;",
    )
    .await;
    app.shot("49-cart-classes").await;

    // The morning: 5A's Ketut.
    app.click("[data-testid=class-card][data-class='5A']").await;
    app.click("[data-testid=group-card][data-group=Ketut]")
        .await;
    app.find("[data-testid=project-card]").await;
    let morning = app.body_text().await;
    assert!(morning.contains(MORNING), "{morning}");
    assert!(
        !morning.contains(AFTERNOON) && !morning.contains("Karhut"),
        "{morning}"
    );
    assert!(shows_picture(&app, &photo_5a).await, "5A's own picture");
    assert!(
        !shows_picture(&app, &photo_6b).await,
        "6B's picture served to 5A"
    );
    assert!(
        serves_over_loopback(&app, &photo_5a).await,
        "5A's own media"
    );
    assert!(
        !serves_over_loopback(&app, &photo_6b).await,
        "6B's media served over loopback to 5A"
    );
    app.click("[data-testid=project-card]").await;
    // Ketut work: why they chose the phenomenon, saved and synced live to 5A's teacher only.
    app.click("[data-testid=step-phenomenon]").await;
    app.type_into("[data-testid=phenomenon-why]", MORNING_WORDS)
        .await;
    app.saved().await;
    app.shot("50-cart-5a-project").await;
    let holds_words = |network: &Network| {
        network
            .node()
            .app()
            .projects()
            .unwrap()
            .iter()
            .any(|p| p.value.phenomenon.why.as_str() == MORNING_WORDS)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !holds_words(&teacher_5a) {
        assert!(
            std::time::Instant::now() < deadline,
            "Ketut's words never reached 5A's teacher"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        !holds_words(&teacher_6b),
        "Ketut's words reached 6B's teacher"
    );
    app.click("[data-testid=back-home]").await;

    // The afternoon: Ketut switches, and 6B's Karhut opens its own project.
    app.click("[data-testid=switch-group]").await;
    app.click("[data-testid=class-card][data-class='6B']").await;
    app.click("[data-testid=group-card][data-group=Karhut]")
        .await;
    app.find("[data-testid=project-card]").await;
    app.click("[data-testid=project-card]").await;
    app.find("[data-testid=step-phenomenon]").await;
    let afternoon = app.body_text().await;
    assert!(afternoon.contains(AFTERNOON), "{afternoon}");
    assert!(
        !afternoon.contains(MORNING)
            && !afternoon.contains(MORNING_WORDS)
            && !afternoon.contains("Ketut"),
        "{afternoon}"
    );
    assert!(shows_picture(&app, &photo_6b).await, "6B's own picture");
    assert!(
        !shows_picture(&app, &photo_5a).await,
        "5A's picture served to 6B"
    );
    assert!(
        serves_over_loopback(&app, &photo_6b).await,
        "6B's own media"
    );
    assert!(
        !serves_over_loopback(&app, &photo_5a).await,
        "5A's media served over loopback to 6B"
    );
    app.shot("51-cart-6b-project").await;
    assert!(
        !holds_words(&teacher_6b),
        "Ketut's words reached 6B's teacher later"
    );
    app.quit().await;
    drop((teacher_5a, teacher_6b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_of_two_classes_picks_the_class_on_the_overview() {
    let root = tempfile::tempdir().unwrap();
    let teacher = root.path().join("teacher");
    std::thread::spawn({
        let teacher = teacher.clone();
        move || {
            for (name, group) in [("5A", "Ketut"), ("6B", "Karhut")] {
                let folder = shelf::folder_to_join(&teacher, None).unwrap();
                enrolment::create_class_as_teacher(
                    &membership::open(&folder).unwrap(),
                    name,
                    &[group],
                )
                .unwrap();
            }
        }
    })
    .join()
    .unwrap();
    let driver = Driver::start();
    let app = driver.launch(&teacher).await;
    app.find("[data-testid=dashboard]").await;
    app.until(
        "5A's overview",
        "return document.querySelectorAll('[data-testid=group-overview][data-group=Ketut]').length === 1;",
    )
    .await;
    app.client
        .execute(
            "const s = document.querySelector('[data-testid=pick-class]'); \
             s.value = [...s.options].find(o => o.text === '6B').value; \
             s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
            vec![],
        )
        .await
        .unwrap();
    app.until(
        "6B's overview, and nothing of 5A's",
        "return document.querySelectorAll('[data-testid=group-overview][data-group=Karhut]').length === 1 \
         && document.querySelectorAll('[data-testid=group-overview][data-group=Ketut]').length === 0;",
    )
    .await;
    // And it stays so as the overview reloads (it does whenever a document changes).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let overview = app.body_text().await;
    assert!(
        overview.contains("Karhut") && !overview.contains("Ketut"),
        "{overview}"
    );
    app.shot("52-teacher-two-classes").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_of_5a_joins_6b_too_by_typing_its_teachers_code() {
    let root = tempfile::tempdir().unwrap();
    let tablet = root.path().join("tablet");
    let (teacher_5a, _) = class_on_the_cart(root.path(), &tablet, "5A", "Ketut", MORNING);
    // 6B's teacher lets the tablet in: the code on the screen, and where the device serves.
    let teacher = root.path().join("teacher-6B");
    let addr = free_address();
    let code = std::thread::spawn({
        let (teacher, addr) = (teacher.clone(), addr.clone());
        move || {
            enrolment::create_class_as_teacher(
                &membership::open(&teacher).unwrap(),
                "6B",
                &["Karhut"],
            )
            .unwrap();
            enrolment::enrol(
                &membership::open(&teacher).unwrap(),
                Some("Karhut"),
                false,
                &[addr],
                None,
            )
            .unwrap()
            .code
        }
    })
    .join()
    .unwrap();
    let teachers = Arc::new(App::open(&teacher).unwrap());
    let reach = Reach {
        discovery: false,
        fallbacks: false,
        typed: Vec::new(),
    };
    let serving = {
        let (teachers, addr) = (teachers.clone(), addr.clone());
        std::thread::spawn(move || Network::start(teachers, reach, Some(addr.as_str())))
            .join()
            .unwrap()
            .unwrap()
            .expect("6B's teacher's device serves")
    };

    let driver = Driver::start();
    let app = driver.launch(&tablet).await;
    // One class so far: its groups at once, and the way to join another below them.
    app.find("[data-testid=group-card][data-group=Ketut]").await;
    app.click("[data-testid=join-another]").await;
    app.type_into("[data-testid=join-code]", &code).await;
    app.click("[data-testid=join-class] summary").await;
    app.type_into("[data-testid=join-address]", &addr).await;
    app.shot("53-cart-join-another").await;
    app.click("[data-testid=join-go]").await;
    app.until(
        "both classes on the start screen",
        "return document.querySelectorAll('[data-testid=class-card]').length === 2;",
    )
    .await;
    app.click("[data-testid=class-card][data-class='6B']").await;
    app.find("[data-testid=group-card][data-group=Karhut]")
        .await;
    app.quit().await;
    // The new class is a folder of its own beside 5A's, and 5A's is as it was.
    let further: Vec<_> = std::fs::read_dir(tablet.join(shelf::CLASSES))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(further.len(), 1, "6B in a folder of its own");
    let roster = teachers
        .read::<hugme_model::Class>(&teachers.store().meta("class_id").unwrap().unwrap())
        .unwrap()
        .value;
    assert!(
        roster
            .devices
            .iter()
            .any(|d| d.role == hugme_model::DeviceRole::GroupTablet),
        "the tablet is in 6B's class list"
    );
    drop((serving, teacher_5a));
}
