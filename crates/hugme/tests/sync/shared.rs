//! One tablet, two classes: a cart tablet that 5A uses in the morning and 6B in the
//! afternoon. Real processes on loopback: two teachers' devices, each its own class CA, and
//! one tablet joined to both (`hugme join` twice), serving both classes at once
//! (`hugme hub`), each on a listener of its own with that class's certificate.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::*;

const MORNING: &str = "Jäätyvä järvi aamulla";
const AFTERNOON: &str = "Metsän äänet iltapäivällä";

/// The tablet's `hugme hub`: the address it serves each class at, in the order it said them
/// (its first class, then `for class NAME`).
struct TabletHub {
    child: Child,
    first: String,
    further: Vec<(String, String)>,
    out: BufReader<std::process::ChildStdout>,
}

impl TabletHub {
    fn start(dir: &Path, classes: usize) -> TabletHub {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hugme"))
            .args([
                "hub",
                path(dir),
                "--listen",
                "127.0.0.1:0",
                "--no-discovery",
            ])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.with_extension("hub.log")).unwrap())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        let mut further = Vec::new();
        for _ in 0..classes {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            let rest = line
                .trim()
                .strip_prefix("listening on ")
                .unwrap_or_else(|| panic!("unexpected line {line:?}"));
            match rest.split_once(" for class ") {
                Some((addr, class)) => further.push((class.to_owned(), addr.to_owned())),
                None => first = rest.to_owned(),
            }
        }
        TabletHub {
            child,
            first,
            further,
            out,
        }
    }

    fn addr_of(&self, class: &str) -> &str {
        self.further
            .iter()
            .find(|(c, _)| c == class)
            .map_or(self.first.as_str(), |(_, a)| a.as_str())
    }

    /// The next line the hub says.
    fn said(&mut self) -> String {
        let mut line = String::new();
        self.out.read_line(&mut line).unwrap();
        line
    }
}

impl Drop for TabletHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Cart {
    _root: tempfile::TempDir,
    /// The teachers' devices of 5A and 6B.
    a: PathBuf,
    b: PathBuf,
    tablet: PathBuf,
    /// The tablet's device id in 5A.
    tablet_in_a: String,
    morning: String,
    afternoon: String,
    /// 64 bytes from the middle of each class's photo as the tablet stored it: bytes only
    /// that photo has.
    photos: [Vec<u8>; 2],
}

/// Two classes, each with its teacher's device; one tablet joined to both, a group of each
/// working on it (a project and a photo each).
fn cart() -> Cart {
    let root = tempfile::tempdir().unwrap();
    let (a, b, tablet) = (
        root.path().join("teacher-5a"),
        root.path().join("teacher-6b"),
        root.path().join("tablet"),
    );
    let mut joined = Vec::new();
    for (dir, class, group) in [(&a, "5A", "Ketut"), (&b, "6B", "Karhut")] {
        ok(&[
            "class",
            "create",
            path(dir),
            "--name",
            class,
            "--group",
            group,
        ]);
        let addr = free_address();
        let payload = root.path().join(format!("{class}.json"));
        ok(&[
            "enrol",
            path(dir),
            "--group",
            group,
            "--hub",
            &addr,
            "-o",
            path(&payload),
        ]);
        let serving = Serving::start_at(dir, &addr);
        let said = ok(&["join", path(&tablet), "--payload", path(&payload)]);
        drop(serving);
        joined.push(
            said.trim()
                .rsplit(' ')
                .next()
                .expect("joined … as device ID")
                .to_owned(),
        );
    }
    // Joining 5A again is refused: one folder per class.
    let again = hugme(&[
        "join",
        path(&tablet),
        "--payload",
        path(&root.path().join("5A.json")),
    ]);
    assert!(!again.status.success());
    let photos = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos");
    let mut projects = Vec::new();
    for (class, group, title, photo) in [
        ("5A", "Ketut", MORNING, "storm.jpg"),
        ("6B", "Karhut", AFTERNOON, "storm-orientation-6.jpg"),
    ] {
        let id = ok(&[
            "project",
            "new",
            path(&tablet),
            "--class",
            class,
            "--group",
            group,
            "--title",
            title,
        ])
        .trim()
        .to_owned();
        import_media(&tablet, &id, &photos.join(photo));
        projects.push(id);
    }
    let photos = [&tablet, &classes_folder(&tablet)].map(|dir| {
        let app = crate::open_app(dir);
        let largest = app
            .store()
            .blobs()
            .unwrap()
            .into_iter()
            .max_by_key(|b| b.size)
            .expect("the photo is stored");
        let bytes = app.store().blob(&largest.hash).unwrap();
        bytes[bytes.len() / 2..bytes.len() / 2 + 64].to_vec()
    });
    Cart {
        photos,
        tablet_in_a: joined[0].clone(),
        a,
        b,
        tablet,
        morning: projects[0].clone(),
        afternoon: projects[1].clone(),
        _root: root,
    }
}

/// The tablet's further class folder (6B's).
fn classes_folder(tablet: &Path) -> PathBuf {
    std::fs::read_dir(tablet.join("classes"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .next()
        .expect("a further class folder")
}

#[test]
fn each_teacher_gets_only_its_class_and_the_end_of_6bs_term_leaves_5a_on_the_tablet() {
    let cart = cart();
    assert!(
        cart.tablet.join("classes").is_dir(),
        "6B has a folder of its own"
    );
    let hub = TabletHub::start(&cart.tablet, 2);
    let (for_a, for_b) = (hub.addr_of("5A").to_owned(), hub.addr_of("6B").to_owned());
    assert_ne!(for_a, for_b);

    let (in_step, said) = sync(&cart.a, &for_a);
    assert!(in_step, "{said}");
    let (in_step, said) = sync(&cart.b, &for_b);
    assert!(in_step, "{said}");
    // A session is one class's: 5A's teacher cannot even greet the tablet as 6B.
    let (in_step, said) = sync(&cart.a, &for_b);
    assert!(!in_step, "5A's device synced with the tablet's 6B: {said}");

    assert_eq!(titles(&cart.a), [MORNING]);
    assert_eq!(titles(&cart.b), [AFTERNOON]);
    // Nothing of the other class in either teacher's folder: no title, group name or photo.
    let (morning_photo, afternoon_photo) = (&cart.photos[0], &cart.photos[1]);
    assert!(
        on_disk(&cart.a, morning_photo),
        "the test looks where photos are"
    );
    for (dir, other) in [
        (&cart.a, [AFTERNOON.as_bytes(), b"Karhut", afternoon_photo]),
        (&cart.b, [MORNING.as_bytes(), b"Ketut", morning_photo]),
    ] {
        for bytes in other {
            assert!(
                !on_disk(dir, bytes),
                "{} holds something of the other class: {}",
                dir.display(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(30)])
            );
        }
    }

    // 6B's term ends: the tablet deletes 6B as it syncs, and goes on serving 5A.
    ok(&["class", "end", path(&cart.b)]);
    let (in_step, said) = sync(&cart.b, &for_b);
    assert!(in_step, "{said}");
    let mut hub = hub;
    assert!(hub.said().contains("deleted the class"));
    ok(&[
        "project",
        "set",
        path(&cart.a),
        &cart.morning,
        "--step",
        "phenomenon",
        "--text",
        "Miksi jää narisee?",
    ]);
    let (in_step, said) = sync(&cart.a, &for_a);
    assert!(in_step, "5A stopped syncing after 6B's term ended: {said}");
    drop(hub);

    assert!(
        !on_disk(&cart.tablet, AFTERNOON.as_bytes()),
        "6B's work is gone"
    );
    assert!(!on_disk(&cart.tablet, afternoon_photo));
    assert_eq!(titles(&cart.tablet), [MORNING]);
    assert!(on_disk(&cart.tablet, morning_photo), "5A's photo stays");
    assert!(on_disk(&cart.tablet, "Miksi jää narisee?".as_bytes()));
    assert!(
        cart.tablet.join("identity").exists(),
        "5A's certificate stays"
    );
    // The emptied folder itself is gone at the next start.
    let _ = hugme(&["inspect", path(&cart.tablet)]);
    let _ = TabletHub::start(&cart.tablet, 1);
    let left = std::fs::read_dir(cart.tablet.join("classes")).map_or(0, |d| d.count());
    assert_eq!(left, 0, "6B's folder is removed");
    let _ = &cart.afternoon;
}

#[test]
fn removed_from_5a_the_tablet_still_syncs_6b() {
    let cart = cart();
    let hub = TabletHub::start(&cart.tablet, 2);
    let (for_a, for_b) = (hub.addr_of("5A").to_owned(), hub.addr_of("6B").to_owned());
    assert!(sync(&cart.a, &for_a).0);
    assert!(sync(&cart.b, &for_b).0);
    ok(&["revoke", path(&cart.a), &cart.tablet_in_a]);
    // The tablet hears of it, and 5A's device syncs with it no more.
    let (_, said) = sync(&cart.a, &for_a);
    let (in_step, again) = sync(&cart.a, &for_a);
    assert!(
        !in_step,
        "5A still syncs with the removed tablet: {said} / {again}"
    );
    ok(&[
        "project",
        "set",
        path(&cart.b),
        &cart.afternoon,
        "--step",
        "phenomenon",
        "--text",
        "Kuuntelimme tikkaa.",
    ]);
    let (in_step, said) = sync(&cart.b, &for_b);
    assert!(
        in_step,
        "6B stopped syncing when 5A removed the tablet: {said}"
    );
    drop(hub);
    assert!(on_disk(&cart.tablet, "Kuuntelimme tikkaa.".as_bytes()));
}

#[test]
fn a_teachers_device_keeps_two_classes_and_enrols_into_each() {
    let root = tempfile::tempdir().unwrap();
    let teacher = root.path().join("teacher");
    ok(&[
        "class",
        "create",
        path(&teacher),
        "--name",
        "5A",
        "--group",
        "Ketut",
    ]);
    ok(&[
        "class",
        "create",
        path(&teacher),
        "--name",
        "6B",
        "--group",
        "Karhut",
    ]);
    assert!(
        teacher.join("classes").is_dir(),
        "6B in a folder of its own"
    );
    let said = ok(&[
        "enrol",
        path(&teacher),
        "--class",
        "6B",
        "--group",
        "Karhut",
    ]);
    assert!(said.contains("code "), "{said}");
    // 5A has no group Karhut: the class named decides where the tablet goes.
    let wrong = hugme(&[
        "enrol",
        path(&teacher),
        "--class",
        "5A",
        "--group",
        "Karhut",
    ]);
    assert!(!wrong.status.success());
    let hub = TabletHub::start(&teacher, 2);
    assert_ne!(hub.addr_of("5A"), hub.addr_of("6B"));
}

#[test]
fn a_code_for_a_class_the_tablet_is_in_already_is_refused_before_it_joins() {
    let cart = cart();
    let addr = free_address();
    let said = ok(&["enrol", path(&cart.a), "--group", "Ketut", "--hub", &addr]);
    let code = said
        .lines()
        .find_map(|l| l.strip_prefix("code "))
        .and_then(|c| c.split(" (").next())
        .expect("a code")
        .replace(' ', "");
    let serving = Serving::start_at(&cart.a, &addr);
    let again = hugme(&["join", path(&cart.tablet), "--code", &code, "--hub", &addr]);
    drop(serving);
    assert!(!again.status.success(), "joined 5A a second time");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already belongs"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // 5A lists the tablet once: the code was refused before the tablet asked to join.
    let teacher = crate::open_app(&cart.a);
    let id = teacher.store().meta("class_id").unwrap().unwrap();
    let class = teacher.read::<hugme_model::Class>(&id).unwrap().value;
    let tablets = class
        .devices
        .iter()
        .filter(|d| d.role == hugme_model::DeviceRole::GroupTablet)
        .count();
    assert_eq!(tablets, 1, "{:?}", class.devices);
    assert_eq!(
        std::fs::read_dir(cart.tablet.join("classes"))
            .unwrap()
            .count(),
        1,
        "no third folder"
    );
}
