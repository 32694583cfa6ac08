//! The other devices of a test, headless in this process: a tablet's network side on a
//! runtime of its own, a free loopback address, and waiting for the app to let go of a data
//! folder after it quit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use hugme_node::neighbours::Reach;
use hugme_node::Node;

/// A loopback address nobody listens on yet.
pub fn free_address() -> String {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().to_string()
}

/// A tablet syncing with its neighbours (the enrolment address, then where each answered)
/// every couple of seconds, as a tablet does, until dropped.
pub struct Tablet {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Tablet {
    pub fn start(hub: Arc<Node>) -> Tablet {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async move {
                let reach = Reach {
                    discovery: false,
                    fallbacks: true,
                    typed: Vec::new(),
                };
                hugme_node::neighbours::start(hub, "127.0.0.1:9".parse().unwrap(), reach).unwrap();
                let _ = stopped.await;
            });
        });
        Tablet {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Tablet {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Opens a data folder the app just quit, waiting (at most 10 s) while it is still closing.
pub async fn open_when_closed(dir: &std::path::Path) -> App {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match App::open(dir) {
            Ok(app) => return app,
            Err(e) if Instant::now() < deadline => {
                eprintln!("waiting for the app to close: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("the app never let go of its data folder: {e}"),
        }
    }
}

/// Makes the sample class (two groups, a project each) in the data folder `dir`, as a
/// group's tablet has it.
pub fn sample_class(dir: &std::path::Path) {
    let app = App::open(dir).expect("cannot open the data folder");
    hugme_app::sample::create(&app).expect("cannot make the sample class");
}
