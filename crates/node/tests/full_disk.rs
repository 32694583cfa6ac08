//! A data folder on a disk filled to the last byte: the pupils' work opens and reads, a save
//! that finds no room says the disk is full and keeps nothing half-written, and saving works
//! again once room is freed.
//!
//! The disk is a real tmpfs of [`DISK_BYTES`] this test mounts in a mount namespace of its own
//! (`unshare --map-root-user --mount`, so it needs no root and leaves nothing mounted): the test
//! runs itself again inside it.

use std::path::Path;
use std::process::Command;

use hugme_app::api::edit::{Edit, TextField};
use hugme_app::{App, ErrorCode};

const DISK_BYTES: u64 = 96 << 20;
const INSIDE: &str = "HUGME_FULL_DISK_INSIDE";

#[test]
fn work_opens_reads_and_saves_again_on_a_disk_filled_to_the_last_byte() {
    if std::env::var_os(INSIDE).is_none() {
        let exe = std::env::current_exe().unwrap();
        let out = Command::new("unshare")
            .args([
                "--map-root-user",
                "--mount",
                "--propagation",
                "private",
                "--",
            ])
            .arg(exe)
            .args([
                "--exact",
                "work_opens_reads_and_saves_again_on_a_disk_filled_to_the_last_byte",
                "--nocapture",
            ])
            .env(INSIDE, "1")
            .output()
            .expect("unshare (util-linux) runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "inside the mount namespace:\n{said}");
        assert!(said.contains("1 passed"), "the test ran inside:\n{said}");
        return;
    }
    let disk = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={DISK_BYTES}"), "tmpfs"])
        .arg(disk.path())
        .status()
        .unwrap();
    assert!(mounted.success(), "tmpfs mounted");
    on_a_small_disk(disk.path());
}

fn on_a_small_disk(disk: &Path) {
    let dir = disk.join("data");
    let (project, why) = {
        let app = hugme_node::membership::open(&dir).unwrap();
        let demo = hugme_app::sample::create(&app).unwrap();
        let project = demo.projects[0].to_string();
        let why = app.project_view(&project).unwrap().phenomenon.why;
        assert!(!why.is_empty());
        app.store().flush().unwrap();
        (project, why)
    };
    assert!(
        dir.join(hugme_store::reserve::RESERVE_FILE).exists(),
        "room kept aside"
    );

    // A video fills the disk to the last byte.
    let filler = fill(disk, "video-1");
    {
        let app = hugme_node::membership::open(&dir).expect("opens on a full disk");
        assert_eq!(app.project_view(&project).unwrap().phenomenon.why, why);
        assert!(
            app.store().reserve_used(),
            "the kept room was given back to open"
        );
        // With the kept room, the pupil's next words are saved.
        edit(&app, &project, &why, "Lumi sulaa keväällä.").unwrap();
    }

    // Another video takes that room too; nothing is left to give back.
    let second = fill(disk, "video-2");
    {
        let app = hugme_node::membership::open(&dir).expect("opens with no room at all");
        let view = app.project_view(&project).unwrap();
        assert_eq!(view.phenomenon.why, "Lumi sulaa keväällä.", "reads");
        let refused = edit(&app, &project, "Lumi sulaa keväällä.", "Lumi sulaa.").unwrap_err();
        assert_eq!(refused.code(), ErrorCode::DiskFull, "{refused}");
        assert!(refused.to_string().contains("full"), "{refused}");
        // The words stay in the open project (nothing half-written on disk) and go with the
        // next save that finds room.
        let photo = app.add_media(&[7u8; 64 << 10]).unwrap_err();
        assert_eq!(photo.code(), ErrorCode::DiskFull, "{photo}");
        let tmp = dir.join("blobs").join("tmp");
        assert_eq!(
            std::fs::read_dir(&tmp).unwrap().count(),
            0,
            "no half-written media"
        );

        // The teacher deletes a video: the same open program saves again, the refused words
        // with the next ones.
        std::fs::remove_file(&second).unwrap();
        edit(&app, &project, "Lumi sulaa.", "Lumi sulaa nopeasti.").unwrap();
        assert_eq!(app.store().integrity_check().unwrap(), "ok");
    }
    std::fs::remove_file(&filler).unwrap();
    let app = hugme_node::membership::open(&dir).unwrap();
    assert_eq!(
        app.project_view(&project).unwrap().phenomenon.why,
        "Lumi sulaa nopeasti."
    );
    assert_eq!(app.store().integrity_check().unwrap(), "ok");
    assert!(
        !app.store().reserve_used(),
        "room kept aside again once there is plenty"
    );
}

fn edit(app: &App, project: &str, shown: &str, text: &str) -> hugme_app::Result<()> {
    app.edit_project(
        project,
        &Edit::SetText {
            field: TextField::PhenomenonWhy,
            text: text.into(),
            base: Some(shown.into()),
        },
    )
}

/// Writes a file that takes every free byte of the disk `disk`; returns its path.
fn fill(disk: &Path, name: &str) -> std::path::PathBuf {
    use std::io::Write;
    let path = disk.join(name);
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0x5au8; 64 << 10];
    let mut small = vec![0x5au8; 512];
    loop {
        match file.write(&block) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
            Err(e) => panic!("{e}"),
        }
    }
    // The last few bytes that a whole block did not fit in.
    while let Ok(n) = file.write(&small) {
        if n == 0 {
            break;
        }
    }
    small.clear();
    let free = hugme_store::space::space(disk).unwrap().free;
    assert_eq!(free, 0, "the disk is full to the last byte");
    path
}
