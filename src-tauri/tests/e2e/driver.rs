//! The real app in its real WebView: an Xvfb display of the test's own, tauri-driver (which
//! starts WebKitWebDriver, which starts the app), and a WebDriver session per app run.
//!
//! Discovery is off for every run (`--no-discovery`): nothing multicasts from the host.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// An X display and a tauri-driver serving WebDriver on a free port.
pub struct Driver {
    /// The WebView's own storage (localStorage, caches) for this test only: kept, not read
    /// (removed with the driver).
    #[allow(dead_code, reason = "held for its lifetime")]
    pub home: tempfile::TempDir,
    /// The Xvfb display, e.g. `:93` (for a test that starts a program on it).
    #[allow(
        dead_code,
        reason = "not every test binary starts a program of its own"
    )]
    pub display: String,
    xvfb: Child,
    driver: Child,
    port: u16,
    pub shots: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on loopback")
}

fn find_program(name: &str) -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin").join(name));
    }
    candidates.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("{name} is not installed: run ./scripts/ensure-deps (it installs xvfb, webkit2gtk-driver and tauri-driver)")
    })
}

/// Stops a child with SIGTERM (tauri-driver must stop WebKitWebDriver itself; SIGKILL would
/// orphan it), then waits.
pub fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Driver {
    pub fn start() -> Driver {
        let xvfb_bin = find_program("Xvfb");
        let tauri_driver = find_program("tauri-driver");
        find_program("WebKitWebDriver");
        // A display number nobody uses.
        let display = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .expect("no free X display number");
        let xvfb = Command::new(xvfb_bin)
            .arg(format!(":{display}"))
            .args(["-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb did not start");
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{display}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "Xvfb :{display} did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
        let port = free_port();
        let home = tempfile::tempdir().expect("no temporary folder");
        let driver = Command::new(tauri_driver)
            .args(["--port", &port.to_string()])
            .args(["--native-port", &free_port().to_string()])
            .env("DISPLAY", format!(":{display}"))
            .env("HUGME_NO_DISCOVERY", "1")
            // WebKit's fake microphone (a tone), for the recorder's test.
            .env("HUGME_TEST_MOCK_CAPTURE", "1")
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver did not start");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&shots).expect("cannot make the screenshot folder");
        Driver {
            home,
            display: format!(":{display}"),
            xvfb,
            driver,
            port,
            shots,
        }
    }

    /// Starts the app on `data` and connects a WebDriver session to its window.
    pub async fn launch(&self, data: &Path) -> App {
        self.launch_with(data, &[]).await
    }

    /// Starts the app with more arguments.
    pub async fn launch_with(&self, data: &Path, more: &[&str]) -> App {
        let app = env!("CARGO_BIN_EXE_hugme-studio");
        let data = data.to_str().expect("data path is not UTF-8");
        let args: Vec<&str> = ["--data", data, "--no-discovery"]
            .into_iter()
            .chain(more.iter().copied())
            .collect();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app, "args": args }),
        );
        // Two rustls providers are compiled in (ring here, aws-lc elsewhere in the tree):
        // say which. The WebDriver connection is plain HTTP on loopback anyway.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // An app that cannot start (say, its data folder busy) leaves the driver waiting
        // for good: a test must fail instead of hanging.
        let mut builder = ClientBuilder::rustls().expect("rustls connector");
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{}", self.port);
        let client = tokio::time::timeout(Duration::from_secs(90), builder.connect(&url))
            .await
            .expect("the app did not start within 90 s")
            .expect("no WebDriver session with the app");
        App {
            client,
            shots: self.shots.clone(),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        terminate(&mut self.driver);
        terminate(&mut self.xvfb);
    }
}

/// One run of the app, driven through WebDriver.
pub struct App {
    pub client: Client,
    shots: PathBuf,
}

const PATIENCE: Duration = Duration::from_secs(20);

impl App {
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all failed")
    }

    /// Clicks the element; if it was re-rendered between finding and clicking (a reload
    /// after a save), finds it again.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let element = self.find(css).await;
            match element.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() > deadline => {
                    self.shot("failure").await;
                    panic!("click on {css}: {e:?}");
                }
                Err(_) => {
                    // Under the sticky header? Bring it to the middle of the window.
                    let _ = self
                        .client
                        .execute(
                            "arguments[0].scrollIntoView({block: 'center'});",
                            vec![serde_json::to_value(&element).unwrap_or_default()],
                        )
                        .await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field
            .click()
            .await
            .unwrap_or_else(|e| panic!("focus {css}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Runs `script` (which returns a boolean) until it is true.
    pub async fn until(&self, what: &str, script: &str) {
        if !self.within(PATIENCE, script).await {
            self.shot("failure").await;
            panic!("gave up waiting for {what}");
        }
    }

    /// Runs `script` (which returns a boolean) until it is true or `patience` is over:
    /// whether it came true.
    pub async fn within(&self, patience: Duration, script: &str) -> bool {
        let deadline = Instant::now() + patience;
        loop {
            let v = self
                .client
                .execute(script, vec![])
                .await
                .expect("script failed");
            if v == serde_json::Value::Bool(true) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until every edit is on disk (the badge says "saved").
    pub async fn saved(&self) {
        self.until(
            "everything saved",
            "const b = document.querySelector('[data-testid=save-state]'); \
             return !!b && b.dataset.state === 'saved';",
        )
        .await;
    }

    /// The text of the element `css` shows.
    pub async fn text_of(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    pub async fn body_text(&self) -> String {
        let v = self
            .client
            .execute("return document.body.innerText + ' ' + [...document.querySelectorAll('input,textarea')].map(e => e.value).join(' ');", vec![])
            .await
            .expect("script failed");
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Where the screenshots (and other artifacts to look at) go.
    pub fn shots(&self) -> &Path {
        &self.shots
    }

    /// Saves a screenshot of the window as `<name>.png` (a test artifact to look at).
    pub async fn shot(&self, name: &str) {
        // Let a transition or an image finish painting.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.client.screenshot().await.expect("screenshot failed");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("cannot write screenshot");
        eprintln!("screenshot: {}", path.display());
    }

    /// Quits the app (the WebDriver session ends and the app process with it).
    pub async fn quit(self) {
        self.client
            .close()
            .await
            .expect("closing the session failed");
    }
}
