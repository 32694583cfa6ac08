//! Importing real photos and a corpus of bad input through the real store.

use hugme_media::{import_bytes, import_file, Error, MediaKind, Settings};
use hugme_store::Store;

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

/// The photo with an EXIF APP1 segment after SOI: orientation, and optionally a GPS position.
fn with_exif(jpeg: &[u8], orientation: u16, gps: bool) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\0\x2A\0\0\0\x08".to_vec();
    let entries: u16 = if gps { 2 } else { 1 };
    tiff.extend(entries.to_be_bytes());
    tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]); // Orientation, SHORT, 1
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0]);
    let gps_ifd = 8 + 2 + 12 * u32::from(entries) + 4;
    if gps {
        tiff.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1]); // GPSInfo, LONG, 1
        tiff.extend(gps_ifd.to_be_bytes());
    }
    tiff.extend([0, 0, 0, 0]); // no next IFD
    if gps {
        tiff.extend([0, 1]); // one GPS entry
        tiff.extend([0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef "N"
        tiff.extend([0, 0, 0, 0]);
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
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

fn mean_rgb(img: &image::RgbImage, x0: u32, y0: u32) -> [f64; 3] {
    let mut sum = [0f64; 3];
    for y in y0..y0 + 32 {
        for x in x0..x0 + 32 {
            let p = img.get_pixel(x, y);
            (0..3).for_each(|i| sum[i] += f64::from(p[i]));
        }
    }
    sum.map(|s| s / 1024.0)
}

#[test]
fn an_orientation_6_photo_is_stored_upright_with_thumbnails() {
    let (_dir, store) = store();
    let original = image::load_from_memory(&photo()).unwrap().to_rgb8();
    let rotated = with_exif(&photo(), 6, false);
    let imported = import_bytes(&store, "kettu.jpg", &rotated, &Settings::default()).unwrap();
    assert_eq!(imported.kind, MediaKind::Image);
    assert_eq!(
        (imported.width, imported.height),
        (Some(3000), Some(4000)),
        "turned upright"
    );
    let stored = image::load_from_memory(&store.blob(&imported.blob.hash).unwrap())
        .unwrap()
        .to_rgb8();
    assert_eq!(stored.dimensions(), (3000, 4000));
    // Orientation 6 = rotate 90° clockwise: the original's bottom-left corner is now top-left.
    let before = mean_rgb(&original, 0, 3000 - 32);
    let after = mean_rgb(&stored, 0, 0);
    for i in 0..3 {
        assert!(
            (before[i] - after[i]).abs() < 12.0,
            "channel {i}: {before:?} vs {after:?}"
        );
    }
    let sizes: Vec<u32> = imported.thumbnails.iter().map(|(s, _)| *s).collect();
    assert_eq!(sizes, [256, 1024]);
    let thumb =
        image::load_from_memory(&store.blob(&imported.thumbnails[0].1.hash).unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (192, 256));
}

#[test]
fn a_photo_with_gps_tags_is_stored_without_any_metadata() {
    let (_dir, store) = store();
    let tagged = with_exif(&photo(), 1, true);
    assert!(segments(&tagged)
        .iter()
        .any(|(m, p)| *m == 0xE1 && p.starts_with(b"Exif")));
    let imported = import_bytes(&store, "leikkipuisto.jpg", &tagged, &Settings::default()).unwrap();
    let stored = store.blob(&imported.blob.hash).unwrap();
    let markers: Vec<u8> = segments(&stored).iter().map(|(m, _)| *m).collect();
    assert!(
        !markers.iter().any(|m| (0xE1..=0xEF).contains(m)),
        "no APPn but JFIF: {markers:x?}"
    );
    for (_, thumb) in &imported.thumbnails {
        let bytes = store.blob(&thumb.hash).unwrap();
        assert!(!segments(&bytes).iter().any(|(m, _)| *m == 0xE1));
    }
}

#[test]
fn identical_imports_are_stored_once() {
    let (_dir, store) = store();
    let bytes = photo();
    let a = import_bytes(&store, "a.jpg", &bytes, &Settings::default()).unwrap();
    let count = store.blobs().unwrap().len();
    let b = import_bytes(&store, "b.jpg", &bytes, &Settings::default()).unwrap();
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
    let imported = import_bytes(&store, "big.jpg", &photo(), &settings).unwrap();
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
            "ipad.jpg",
            b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(),
            "HEIC",
        ),
    ];
    for (name, bytes, says) in cases {
        let err = import_bytes(&store, name, &bytes, &Settings::default()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(name) && text.contains(says), "{name}: {text}");
    }
    assert!(store.blobs().unwrap().is_empty(), "nothing is stored");
}

#[test]
fn sound_and_video_are_kept_as_they_are_within_the_size_limit() {
    let (dir, store) = store();
    let mp4 = tiny_mp4();
    let imported = import_bytes(&store, "clip.mp4", &mp4, &Settings::default()).unwrap();
    assert_eq!(imported.kind, MediaKind::Video);
    assert_eq!(imported.mime, "video/mp4");
    assert_eq!(store.blob(&imported.blob.hash).unwrap(), mp4);

    let cut = &mp4[..mp4.len() - 3];
    let err = import_bytes(&store, "cut.mp4", cut, &Settings::default()).unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err}");

    let path = dir.path().join("long.mp4");
    std::fs::write(&path, &mp4).unwrap();
    let small = Settings {
        max_media_bytes: 10,
        max_pixels: 1,
        ..Settings::default()
    };
    let err = import_file(&store, &path, &small).unwrap_err();
    assert!(err.to_string().contains("too big"), "{err}");
}
