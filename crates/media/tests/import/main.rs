//! Importing real photos and a corpus of bad input through the real store.

use hugme_media::{
    import_bytes, import_file, Control, Error, Importing, MediaKind, Settings, Stage,
};
use hugme_store::Store;

mod field;

const PHOTO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/bench/photos/photo-12mp.jpg"
);

fn photo() -> Vec<u8> {
    std::fs::read(PHOTO).expect("the test photo is in assets/")
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

/// The JPEG's segments before the image data, as (marker, payload).
fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        out.push((marker, jpeg[at + 4..at + 2 + len].to_vec()));
        at += 2 + len;
    }
    out
}

fn camera_photo(name: &str) -> Vec<u8> {
    let path = format!("{}/../../assets/photos/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).expect("the camera photos are in assets/photos")
}

/// Mean absolute difference per channel of two images of one size, in 0..255.
pub fn difference(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

fn has_exif(jpeg: &[u8]) -> bool {
    segments(jpeg)
        .iter()
        .any(|(m, p)| *m == 0xE1 && p.starts_with(b"Exif"))
}

fn import(store: &Store, name: &str, bytes: &[u8]) -> hugme_media::Result<hugme_media::Imported> {
    import_bytes(
        store,
        name,
        bytes,
        &Settings::default(),
        &Control::default(),
    )
}

#[test]
fn a_camera_photo_with_orientation_6_is_stored_upright_with_thumbnails() {
    let (_dir, store) = store();
    let sideways = camera_photo("storm-orientation-6.jpg");
    assert!(
        has_exif(&sideways),
        "the camera's EXIF is in the test photo"
    );
    let upright = image::load_from_memory(&camera_photo("storm.jpg"))
        .unwrap()
        .to_rgb8();
    let as_stored_by_camera = image::load_from_memory(&sideways).unwrap().to_rgb8();
    assert_eq!(
        as_stored_by_camera.dimensions(),
        (853, 1280),
        "pixels lie on their side"
    );

    let imported = import(&store, "myrsky.jpg", &sideways).unwrap();
    assert_eq!(imported.kind, MediaKind::Image);
    assert_eq!((imported.width, imported.height), (Some(1280), Some(853)));
    let stored = image::load_from_memory(&store.blob(&imported.blob.hash).unwrap())
        .unwrap()
        .to_rgb8();
    // Upright: the stored photo is the upright original (up to JPEG loss); turned the other
    // way it would be a different picture.
    let right = difference(&stored, &upright);
    let wrong = difference(&image::imageops::rotate180(&stored), &upright);
    assert!(
        right < 4.0,
        "stored photo differs from the upright one by {right:.1}"
    );
    assert!(
        wrong > 5.0 * right,
        "upside down differs only by {wrong:.1}"
    );

    let sizes: Vec<u32> = imported.thumbnails.iter().map(|(s, _)| *s).collect();
    assert_eq!(sizes, [256, 1024]);
    for (edge, blob) in &imported.thumbnails {
        let thumb = image::load_from_memory(&store.blob(&blob.hash).unwrap()).unwrap();
        let expected_height = (f64::from(*edge) * 853.0 / 1280.0).round() as u32;
        assert_eq!((thumb.width(), thumb.height()), (*edge, expected_height));
    }
}

#[test]
fn a_camera_photo_with_gps_tags_is_stored_without_any_metadata() {
    let (_dir, store) = store();
    let tagged = camera_photo("storm-gps.jpg");
    let find = |bytes: &[u8], what: &[u8]| bytes.windows(what.len()).any(|w| w == what);
    assert!(has_exif(&tagged) && find(&tagged, b"Canon"));
    let imported = import(&store, "tori.jpg", &tagged).unwrap();
    let mut stored = vec![store.blob(&imported.blob.hash).unwrap()];
    for (_, thumb) in &imported.thumbnails {
        stored.push(store.blob(&thumb.hash).unwrap());
    }
    for bytes in &stored {
        let markers: Vec<u8> = segments(bytes).iter().map(|(m, _)| *m).collect();
        assert!(
            !markers.iter().any(|m| (0xE1..=0xEF).contains(m)),
            "no APPn but JFIF: {markers:x?}"
        );
        assert!(!find(bytes, b"Exif") && !find(bytes, b"Canon") && !find(bytes, b"GPS"));
        assert!(image::load_from_memory(bytes).is_ok());
    }
}

#[test]
fn identical_imports_are_stored_once() {
    let (_dir, store) = store();
    let bytes = photo();
    let a = import(&store, "a.jpg", &bytes).unwrap();
    let count = store.blobs().unwrap().len();
    let b = import(&store, "b.jpg", &bytes).unwrap();
    assert_eq!(a.blob, b.blob);
    assert_eq!(store.blobs().unwrap().len(), count);
    assert_eq!(count, 3, "the photo and its two thumbnails");
}

#[test]
fn large_photos_are_scaled_to_the_long_edge() {
    let (_dir, store) = store();
    let settings = Settings {
        max_long_edge: 1600,
        ..Settings::default()
    };
    let imported =
        import_bytes(&store, "big.jpg", &photo(), &settings, &Control::default()).unwrap();
    assert_eq!((imported.width, imported.height), (Some(1600), Some(1200)));
}

/// A PNG whose header claims `width` × `height` pixels (valid CRCs), with the start of a
/// compressed stream of zeros as its data: what a decompression bomb looks like.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let chunk = |out: &mut Vec<u8>, body: &[u8]| {
        out.extend(((body.len() - 4) as u32).to_be_bytes());
        out.extend(body);
        out.extend(crc32fast::hash(body).to_be_bytes());
    };
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, &ihdr);
    let mut idat = b"IDAT".to_vec();
    idat.extend([
        0x78, 0x9c, 0xed, 0xc1, 0x01, 0x0d, 0x00, 0x00, 0x00, 0xc2, 0xa0,
    ]);
    chunk(&mut out, &idat);
    chunk(&mut out, b"IEND");
    out
}

/// A small MP4: an ftyp box and an empty moov box.
fn tiny_mp4() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(20u32.to_be_bytes());
    out.extend(b"ftypisom\0\0\x02\0mp41");
    out.extend(8u32.to_be_bytes());
    out.extend(b"moov");
    out
}

#[test]
fn bad_input_gets_a_clear_error_and_stores_nothing() {
    let (_dir, store) = store();
    let photo = photo();
    let mut random = vec![0u8; 4096];
    let mut x = 0x2545_F491_u32;
    for b in random.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = (x >> 24) as u8;
    }
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("cut.jpg", photo[..photo.len() / 2].to_vec(), "is damaged"),
        ("empty.jpg", Vec::new(), "is empty"),
        (
            "bomb.png",
            png_claiming(100_000, 100_000),
            "too big a picture",
        ),
        ("noise.jpg", random, "not a photo, drawing, sound or video"),
        ("video.png", tiny_mp4(), "is a video, not a picture"),
        (
            "ipad.heic",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
            "is damaged",
        ),
    ];
    for (name, bytes, says) in cases {
        let err = import(&store, name, &bytes).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(name) && text.contains(says), "{name}: {text}");
    }
    assert!(store.blobs().unwrap().is_empty(), "nothing is stored");
}

#[test]
fn sound_and_video_are_kept_as_they_are_within_the_size_limit() {
    let (dir, store) = store();
    let mp4 = tiny_mp4();
    let imported = import(&store, "clip.mp4", &mp4).unwrap();
    assert_eq!(imported.kind, MediaKind::Video);
    assert_eq!(imported.mime, "video/mp4");
    assert_eq!(store.blob(&imported.blob.hash).unwrap(), mp4);

    let cut = &mp4[..mp4.len() - 3];
    let err = import(&store, "cut.mp4", cut).unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err}");

    let path = dir.path().join("long.mp4");
    std::fs::write(&path, &mp4).unwrap();
    let small = Settings {
        max_media_bytes: 10,
        max_pixels: 1,
        ..Settings::default()
    };
    let err = import_file(&store, &path, &small, &Control::default()).unwrap_err();
    assert!(err.to_string().contains("too big"), "{err}");
}

/// An MP4 of about `len` bytes: ftyp, a large mdat of patterned bytes, and a moov box.
fn mp4_of(len: usize) -> Vec<u8> {
    let mut out = tiny_mp4();
    let body = len.saturating_sub(out.len() + 8);
    out.extend(((body + 8) as u32).to_be_bytes());
    out.extend(b"mdat");
    out.extend((0..body).map(|i| (i * 7 % 251) as u8));
    out
}

/// Every file under the store's blob folder, partial ones included.
fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    files_under(&e.path())
                } else {
                    1
                }
            })
            .sum()
    })
}

#[test]
fn an_import_reports_its_stages_in_order_and_ends_done() {
    let (_dir, store) = store();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let control =
        Control::with_listener(move |(stage, done)| log.lock().unwrap().push((stage, done)));
    import_bytes(
        &store,
        "myrsky.jpg",
        &camera_photo("storm.jpg"),
        &Settings::default(),
        &control,
    )
    .unwrap();
    let seen = seen.lock().unwrap();
    let stages: Vec<Stage> = seen.iter().map(|(s, _)| *s).collect();
    for stage in [
        Stage::Checking,
        Stage::Scaling,
        Stage::Thumbnails,
        Stage::Storing,
    ] {
        assert!(stages.contains(&stage), "{stage:?} reported: {stages:?}");
    }
    assert!(
        seen.windows(2).all(|w| w[0].1 <= w[1].1),
        "progress only grows: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&(Stage::Done, 1.0)));
    assert_eq!(control.last(), (Stage::Done, 1.0));
}

#[test]
fn a_cancelled_photo_import_stores_nothing() {
    let (_dir, store) = store();
    let control = Control::default();
    control.cancel();
    let err = import_bytes(&store, "a.jpg", &photo(), &Settings::default(), &control).unwrap_err();
    assert!(matches!(err, Error::Cancelled { .. }), "{err}");
    assert!(err.to_string().contains("nothing was added"), "{err}");
    assert!(store.blobs().unwrap().is_empty());
}

#[test]
fn a_video_streams_in_off_the_ui_thread_and_can_be_cancelled_half_way() {
    let (dir, store) = store();
    let store = std::sync::Arc::new(store);
    let path = dir.path().join("retki.mp4");
    let video = mp4_of(24 << 20);
    std::fs::write(&path, &video).unwrap();

    // Cancelled from the listener once a third has been copied: the partial blob is removed.
    let cancel_at_a_third: std::sync::Arc<std::sync::OnceLock<Control>> = Default::default();
    let handle = cancel_at_a_third.clone();
    let control = Control::with_listener(move |(stage, done)| {
        if stage == Stage::Storing && done > 0.33 {
            if let Some(control) = handle.get() {
                control.cancel();
            }
        }
    });
    cancel_at_a_third.set(control.clone()).unwrap();
    let importing = Importing::start(store.clone(), path.clone(), Settings::default(), control);
    let err = importing.wait().unwrap_err();
    assert!(matches!(err, Error::Cancelled { .. }), "{err}");
    assert!(store.blobs().unwrap().is_empty());
    assert_eq!(
        files_under(&dir.path().join("blobs")),
        0,
        "no partial file is left"
    );

    // Not cancelled, the same file arrives whole.
    let importing = Importing::start(store.clone(), path, Settings::default(), Control::default());
    let progress = importing.control().clone();
    let imported = importing.wait().unwrap();
    assert_eq!(progress.last(), (Stage::Done, 1.0));
    assert_eq!(imported.kind, MediaKind::Video);
    assert_eq!(imported.blob.size, video.len() as u64);
    assert_eq!(store.blob(&imported.blob.hash).unwrap(), video);
}
