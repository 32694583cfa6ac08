//! The app on a class's network: a tablet enrolled with the teacher's device (a real hub over
//! TLS on loopback, in this process) syncs by the address in its enrolment code (discovery
//! is off outside a network namespace), shows it is online, shows the teacher's change
//! without a reload, and says it is offline, with the work safe, once the hub is gone.

use std::sync::Arc;

use hugme_app::App;
use hugme_node::Node;

use crate::driver::Driver;

const QUESTION: &str = "Mistä jää on tehty?";

/// The teacher's device serving on loopback until the sender is dropped or fired.
struct TeacherHub {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TeacherHub {
    fn start(app: Arc<App>, listener: std::net::TcpListener) -> TeacherHub {
        let hub = Arc::new(Node::of(app).expect("the teacher's device opens"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("a runtime");
            runtime.block_on(async move {
                listener.set_nonblocking(true).expect("non-blocking");
                let listener = tokio::net::TcpListener::from_std(listener).expect("a listener");
                tokio::select! {
                    _ = hugme_sync::net::serve(listener, hub, true) => {}
                    _ = stopped => {}
                }
            });
        });
        TeacherHub {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TeacherHub {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_syncs_with_the_teacher_and_says_when_it_is_offline() {
    let root = tempfile::tempdir().unwrap();
    let (teacher, tablet) = (root.path().join("teacher"), root.path().join("tablet"));
    let class = hugme_node::enrolment::create_class_as_teacher(
        &hugme_node::membership::open(&teacher).unwrap(),
        "5B",
        &["Ketut"],
    )
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let payload = hugme_node::enrolment::enrol(
        &hugme_node::membership::open(&teacher).unwrap(),
        Some("Ketut"),
        false,
        &[addr],
        Some("Ketut 1"),
    )
    .unwrap()
    .payload;
    let teacher_app = Arc::new(App::open(&teacher).unwrap());
    let mut hub = TeacherHub::start(teacher_app.clone(), listener);
    let dir = tablet.clone();
    tokio::task::spawn_blocking(move || {
        hugme_node::enrolment::join(&hugme_node::membership::open(&dir).unwrap(), &payload)
    })
    .await
    .unwrap()
    .expect("the tablet joins");
    let project = {
        let app = App::open(&tablet).unwrap();
        app.create_project(&class.id, &class.groups[0].id, "Jäätyvä järvi")
            .unwrap()
    };

    let driver = Driver::start();
    let app = driver
        .launch_with(&tablet, &["--open-project", project.as_str()])
        .await;
    app.until(
        "the tablet to sync with the teacher's device",
        "const b = document.querySelector('[data-testid=sync-state]'); \
         return !!b && b.dataset.state === 'online';",
    )
    .await;
    // Tapped, the badge lists the class's devices: the teacher's, up to date.
    app.click("[data-testid=sync-state]").await;
    app.until(
        "the teacher's device in the list",
        "const p = [...document.querySelectorAll('[data-testid=sync-peer]')]; \
         return p.length === 1 && p[0].innerText.includes('teacher');",
    )
    .await;
    app.shot("20-tablet-online").await;
    app.click("[data-testid=sync-state]").await;

    // Photos and videos paused (the Wi-Fi is needed elsewhere): said, and undone.
    app.client
        .execute("window.__TAURI_INTERNALS__.invoke('pause_media');", vec![])
        .await
        .expect("pause media");
    app.find("[data-testid=media-paused]").await;
    app.shot("22-media-paused").await;
    app.click("[data-testid=media-paused] button").await;
    app.until(
        "media to resume",
        "return !document.querySelector('[data-testid=media-paused]');",
    )
    .await;
    app.click("[data-testid=step-research-questions]").await;

    // The teacher adds a question on their device: it appears on the tablet, unasked.
    let started = std::time::Instant::now();
    teacher_app
        .update_project(&project, |p| {
            p.research
                .questions
                .push(hugme_model::ResearchQuestion::new(QUESTION));
            Ok(())
        })
        .unwrap();
    app.until(
        "the teacher's question on the tablet",
        &format!(
            "return [...document.querySelectorAll('[data-testid=question-text]')] \
             .some(e => e.value === {QUESTION:?});"
        ),
    )
    .await;
    eprintln!(
        "the teacher's question showed on the tablet after {} ms",
        started.elapsed().as_millis()
    );

    // The teacher's device goes away: the tablet says it is offline and its work is safe.
    hub.stop();
    app.until(
        "the tablet to say it is offline",
        "const b = document.querySelector('[data-testid=sync-state]'); \
         return !!b && b.dataset.state === 'offline';",
    )
    .await;
    app.shot("21-tablet-offline").await;
    app.quit().await;
}
