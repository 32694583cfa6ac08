//! Files as real devices write them (`assets/field/`, each folder's README says how they were
//! made and what a person expects): imported through the real store, and each stored copy
//! checked as another device receiving it would check it.

use std::path::Path;

use hugme_media::{import_file, Control, MediaKind, Settings};

use crate::store;

fn field(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/field")
        .join(path)
}

/// Imports a field file as the app does (by path, streamed) and returns what was stored.
fn imported(path: &str) -> (hugme_media::Imported, Vec<u8>) {
    let (_dir, store) = store();
    let done = import_file(
        &store,
        &field(path),
        &Settings::default(),
        &Control::default(),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"));
    let bytes = store.blob(&done.blob.hash).unwrap();
    (done, bytes)
}

fn received_check(bytes: &[u8]) -> Result<(), hugme_media::received::Unkept> {
    hugme_media::received::check(std::io::Cursor::new(bytes), bytes.len() as u64)
}

#[test]
fn the_apps_own_recordings_and_phone_voice_memos_are_sounds() {
    for file in [
        "02-recorded-sound-refused/recording.m4a",
        "02-recorded-sound-refused/recording.webm",
        "02-recorded-sound-refused/voice-isom.m4a",
        "02-recorded-sound-refused/control-m4a-brand.m4a",
        "01-video-gps/memo-gps.m4a",
    ] {
        let (done, bytes) = imported(file);
        assert_eq!(done.kind, MediaKind::Audio, "{file}");
        assert!(done.mime.starts_with("audio/"), "{file}: {}", done.mime);
        received_check(&bytes).unwrap_or_else(|e| panic!("{file}: a peer would refuse it: {e}"));
    }
}

#[test]
fn phone_videos_keep_their_picture_and_sound_but_not_where_they_were_made() {
    for file in [
        "01-video-gps/android-gps.mp4",
        "01-video-gps/ipad-gps.mov",
        "01-video-gps/memo-gps.m4a",
    ] {
        let original = std::fs::read(field(file)).unwrap();
        let place = |b: &[u8]| {
            [
                &b"+60.1699"[..],
                b"+024.9384",
                b"loci",
                b"ISO6709",
                b"\xa9xyz",
            ]
            .iter()
            .any(|needle| b.windows(needle.len()).any(|w| w == *needle))
        };
        assert!(
            place(&original),
            "{file}: the field file has the place in it"
        );
        assert!(
            received_check(&original).is_err(),
            "{file}: a peer refuses it as sent"
        );
        let (done, stored) = imported(file);
        assert!(
            !place(&stored),
            "{file}: the stored copy still says where it was made"
        );
        // Only metadata changed: same length, the movie data byte for byte.
        assert_eq!(stored.len(), original.len(), "{file}");
        let same = stored.iter().zip(&original).filter(|(a, b)| a == b).count();
        assert!(
            same as f64 > 0.9 * original.len() as f64,
            "{file}: {same} of {} bytes kept",
            original.len()
        );
        let tracks = hugme_media::iso::kind_by_tracks(
            &mut std::io::Cursor::new(&stored),
            stored.len() as u64,
        )
        .unwrap();
        assert_eq!(
            tracks,
            Some(done.kind),
            "{file}: the tracks are still there"
        );
        received_check(&stored).unwrap_or_else(|e| panic!("{file}: a peer would refuse it: {e}"));
    }
    assert_eq!(
        imported("01-video-gps/android-gps.mp4").0.kind,
        MediaKind::Video
    );
    assert_eq!(
        imported("01-video-gps/ipad-gps.mov").0.kind,
        MediaKind::Video
    );
}

#[test]
fn a_jpeg_with_stray_bytes_between_its_segments_imports_whole() {
    for file in [
        "08-jpeg-stray-bytes/stray-00e1-segment.jpg",
        "08-jpeg-stray-bytes/stray-2-bytes-before-dqt.jpg",
    ] {
        let (done, bytes) = imported(file);
        assert_eq!((done.width, done.height), (Some(640), Some(480)), "{file}");
        let picture = image::load_from_memory(&bytes).unwrap().to_rgb8();
        // The pale ellipse is in the middle, the gradient darker at the corner.
        let middle = picture.get_pixel(320, 240);
        let corner = picture.get_pixel(5, 5);
        let light = |p: &image::Rgb<u8>| p.0.iter().map(|&c| u32::from(c)).sum::<u32>();
        assert!(
            light(middle) > light(corner),
            "{file}: {middle:?} vs {corner:?}"
        );
        received_check(&bytes).unwrap();
    }
}

/// A WAV as recorders that write while they record leave it: both sizes placeholders.
#[test]
fn a_wav_with_a_streaming_recorders_placeholder_sizes_imports_with_true_sizes() {
    let samples: Vec<u8> = (0..16_000u32)
        .flat_map(|i| ((i % 200) as i16 * 50).to_le_bytes())
        .collect();
    let mut wav = b"RIFF\xff\xff\xff\xffWAVEfmt ".to_vec();
    wav.extend(16u32.to_le_bytes());
    wav.extend([1, 0, 1, 0, 0x80, 0x3E, 0, 0, 0, 0x7D, 0, 0, 2, 0, 16, 0]);
    wav.extend(b"data\xff\xff\xff\xff");
    wav.extend(&samples);
    let (_dir, store) = store();
    let done = hugme_media::import_bytes(
        &store,
        "muistiinpano.wav",
        &wav,
        &Settings::default(),
        &Control::default(),
    )
    .unwrap();
    assert_eq!(done.kind, MediaKind::Audio);
    let stored = store.blob(&done.blob.hash).unwrap();
    let le = |at: usize| u32::from_le_bytes(stored[at..at + 4].try_into().unwrap());
    assert_eq!(le(4) as usize, stored.len() - 8, "RIFF size");
    assert_eq!(le(40) as usize, samples.len(), "data size");
    assert_eq!(&stored[44..], &samples[..], "the sound itself untouched");
}

/// An iPad's default ("High Efficiency") video: most school computers' browsers play its sound
/// over a black picture.
#[test]
fn an_ipad_hevc_video_is_refused_with_what_to_do() {
    let (_dir, store) = store();
    let err = import_file(
        &store,
        &field("04-unplayable-recordings/ipad-hevc.mov"),
        &Settings::default(),
        &Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, hugme_media::Error::Hevc { .. }), "{err}");
    assert!(err.to_string().contains("Most Compatible"), "{err}");
    assert!(store.blobs().unwrap().is_empty(), "nothing stored");
    // The other phone videos are H.264 and come in.
    for file in ["01-video-gps/android-gps.mp4", "01-video-gps/ipad-gps.mov"] {
        let bytes = std::fs::read(field(file)).unwrap();
        let codecs =
            hugme_media::iso::video_codecs(&mut std::io::Cursor::new(&bytes), bytes.len() as u64)
                .unwrap();
        assert_eq!(codecs, [*b"avc1"], "{file}");
    }
}

/// MediaRecorder's live WebM has no duration: WebKitGTK will not play it, others cannot seek.
#[test]
fn a_live_recordings_webm_is_stored_with_its_duration() {
    for (file, seconds) in [
        ("04-unplayable-recordings/recorder-no-duration.weba", 4.0),
        ("02-recorded-sound-refused/recording.webm", 3.0),
    ] {
        let original = std::fs::read(field(file)).unwrap();
        assert_eq!(
            hugme_media::webm::duration_of(&mut std::io::Cursor::new(&original)),
            None,
            "{file}: the field file has no duration"
        );
        let (done, stored) = imported(file);
        assert_eq!(done.kind, MediaKind::Audio, "{file}");
        let ms = hugme_media::webm::duration_of(&mut std::io::Cursor::new(&stored))
            .unwrap_or_else(|| panic!("{file}: no duration stored"));
        assert!(
            (ms / 1000.0 - seconds).abs() < 0.2,
            "{file}: {ms} ms, not about {seconds} s"
        );
        // The sound is the recorder's: everything after the segment's Info, byte for byte.
        let tail = 4096.min(original.len() / 2);
        assert_eq!(
            &stored[stored.len() - tail..],
            &original[original.len() - tail..],
            "{file}"
        );
        received_check(&stored).unwrap();
    }
}

/// The movie header's length of an MP4 (version 0 `mvhd`), in seconds.
fn movie_seconds(bytes: &[u8]) -> f64 {
    let at = bytes
        .windows(4)
        .position(|w| w == b"mvhd")
        .expect("an mvhd")
        + 4;
    let field = |i: usize| u32::from_be_bytes(bytes[at + i..at + i + 4].try_into().unwrap());
    assert_eq!(bytes[at], 0, "version 0");
    f64::from(field(16)) / f64::from(field(12))
}

#[test]
fn the_apps_own_fragmented_recording_shows_the_length_it_was_recorded_for() {
    // WebKitGTK's recorder on GStreamer without isofmp4mux: 3 s of its mock microphone.
    let file = "09-webkit-recorder-fragments/recording.m4a";
    let original = std::fs::read(field(file)).unwrap();
    assert_eq!(
        movie_seconds(&original),
        0.0,
        "the recorder left the length out"
    );
    let moofs = |b: &[u8]| b.windows(4).filter(|w| w == b"moof").count();
    let (done, bytes) = imported(file);
    assert_eq!(done.kind, MediaKind::Audio);
    assert_eq!(bytes.len(), original.len(), "nothing moved");
    let seconds = movie_seconds(&bytes);
    assert!((seconds - 3.13).abs() < 0.02, "{seconds} s");
    assert_eq!(
        moofs(&bytes),
        moofs(&original) - 1,
        "the header with no sound is blanked"
    );
    received_check(&bytes).unwrap_or_else(|e| panic!("a peer would refuse it: {e}"));
    // Safari's kind (isofmp4mux, ffmpeg's empty_moov): its fragment index (`mfra`) gives
    // GStreamer the length, other players read the movie header, which said 0: 4 bytes change.
    let other = "02-recorded-sound-refused/recording.m4a";
    let original = std::fs::read(field(other)).unwrap();
    let (_, stored) = imported(other);
    let seconds = movie_seconds(&stored);
    assert!(
        (seconds - 3.02).abs() < 0.01,
        "{seconds} s (was {})",
        movie_seconds(&original)
    );
    let udta = original.windows(4).position(|w| w == b"udta").unwrap() - 4;
    let udta =
        udta..udta + u32::from_be_bytes(original[udta..udta + 4].try_into().unwrap()) as usize;
    let changed = (0..original.len())
        .filter(|i| stored[*i] != original[*i] && !udta.contains(i))
        .count();
    assert!(
        changed <= 4,
        "{changed} bytes changed besides the blanked muxer's tag"
    );
    // A recording that says its length already stays byte for byte.
    assert_eq!(imported_bytes_of(&stored), stored);
}

/// What the import stores of these bytes.
fn imported_bytes_of(bytes: &[u8]) -> Vec<u8> {
    let (_dir, store) = store();
    let done = hugme_media::import_bytes(
        &store,
        "recording.m4a",
        bytes,
        &Settings::default(),
        &Control::default(),
    )
    .unwrap();
    store.blob(&done.blob.hash).unwrap()
}

#[test]
fn sound_tags_naming_a_child_and_a_place_are_emptied_and_the_sound_kept() {
    for (file, mime) in [
        ("10-tagged-sound/tagged.mp3", "audio/mpeg"),
        ("10-tagged-sound/tagged.wav", "audio/wav"),
        ("10-tagged-sound/tagged.webm", "audio/webm"),
    ] {
        let original = std::fs::read(field(file)).unwrap();
        let has = |b: &[u8], s: &str| b.windows(s.len()).any(|w| w == s.as_bytes());
        assert!(
            has(&original, "Virtanen"),
            "{file}: the input names the child"
        );
        let (done, bytes) = imported(file);
        assert_eq!((done.kind, done.mime), (MediaKind::Audio, mime), "{file}");
        for secret in ["Virtanen", "Aino", "Kallio", "60.1699", "24.9384"] {
            assert!(
                !has(&bytes, secret),
                "{file}: {secret} is still in the stored copy"
            );
        }
        // Tags are emptied in place: the sound's bytes are the recorder's.
        assert_eq!(bytes.len(), original.len(), "{file}: nothing moved");
        let same = bytes.iter().zip(&original).filter(|(a, b)| a == b).count();
        assert!(
            same as f64 > 0.9 * original.len() as f64,
            "{file}: only the tags change ({same} of {} bytes kept)",
            original.len()
        );
        received_check(&bytes).unwrap_or_else(|e| panic!("{file}: a peer would refuse it: {e}"));
        // The original as a pupil's own tools could push it, bypassing the import: refused.
        assert!(
            matches!(
                received_check(&original),
                Err(hugme_media::received::Unkept::Metadata(_))
            ),
            "{file}: a peer keeps the tagged original"
        );
    }
}

#[test]
fn a_voice_note_in_ogg_opus_is_stored_as_webm_with_its_length_and_no_tags() {
    let file = "10-tagged-sound/voice-note.opus";
    let (done, bytes) = imported(file);
    assert_eq!((done.kind, done.mime), (MediaKind::Audio, "audio/webm"));
    let has = |b: &[u8], s: &str| b.windows(s.len()).any(|w| w == s.as_bytes());
    for secret in ["Virtanen", "Aino", "Kallio", "60.1699", "24.9384"] {
        assert!(!has(&bytes, secret), "{secret} is still in the stored copy");
    }
    let ms = hugme_media::webm::duration_of(&mut std::io::Cursor::new(&bytes)).unwrap();
    assert!((ms - 3200.0).abs() < 30.0, "{ms} ms");
    received_check(&bytes).unwrap_or_else(|e| panic!("a peer would refuse it: {e}"));
}

#[test]
fn iphone_heic_and_android_avif_photos_are_stored_as_plain_photos_without_the_place() {
    let upright = image::load_from_memory(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/photos/storm.jpg"))
            .unwrap(),
    )
    .unwrap()
    .to_rgb8();
    for file in ["11-heic-avif/storm-gps.heic", "11-heic-avif/storm-gps.avif"] {
        let original = std::fs::read(field(file)).unwrap();
        let has = |b: &[u8], s: &[u8]| b.windows(s.len()).any(|w| w == s);
        assert!(
            has(&original, b"Canon"),
            "{file}: the input carries the camera's EXIF"
        );
        let (done, bytes) = imported(file);
        assert_eq!(
            (done.kind, done.mime),
            (MediaKind::Image, "image/jpeg"),
            "{file}"
        );
        assert_eq!((done.width, done.height), (Some(1280), Some(853)), "{file}");
        assert_eq!(done.thumbnails.len(), 2, "{file}");
        for secret in [&b"Exif"[..], b"Canon", b"GPS"] {
            assert!(!has(&bytes, secret), "{file}: stored copy has {secret:?}");
        }
        let stored = image::load_from_memory(&bytes).unwrap().to_rgb8();
        let off = crate::difference(&stored, &upright);
        assert!(
            off < 6.0,
            "{file}: the same photo (mean difference {off:.2})"
        );
        received_check(&bytes).unwrap_or_else(|e| panic!("{file}: a peer would refuse it: {e}"));
        // The original itself, pushed by a pupil's own tools: not a picture a peer keeps.
        assert!(matches!(
            received_check(&original),
            Err(hugme_media::received::Unkept::OtherPicture(_))
        ));
    }
}

#[test]
fn a_heic_photo_cut_off_is_refused_and_nothing_is_stored() {
    let original = std::fs::read(field("11-heic-avif/storm-gps.heic")).unwrap();
    let (_dir, store) = store();
    for cut in [original.len() / 2, original.len() - 100, 200] {
        let err = hugme_media::import_bytes(
            &store,
            "kuva.heic",
            &original[..cut],
            &Settings::default(),
            &Control::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("is damaged"),
            "cut at {cut}: {err}"
        );
    }
    assert!(store.blobs().unwrap().is_empty());
}
