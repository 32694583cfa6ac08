//! A group's spoken answers go into the export: each recording in the package, played on the
//! project's page under the field it answers, in the class's language; one that has not
//! reached the exporting device is named as missing, and the export is not lost for it.

use hugme_export::{Format, Scope};
use hugme_model::{MediaRef, Project, VoiceAnswer};
use hugme_store::Store;

use crate::checks::unzip;
use crate::{change, export_as, sample};

#[test]
fn spoken_answers_are_in_the_export_played_under_their_field() {
    let data = tempfile::tempdir().unwrap();
    let (class, project) = sample(data.path());
    let store = Store::open(data.path()).unwrap();
    let wav = hugme_sample::tone_wav(600);
    let imported = hugme_media::import_bytes(
        &store,
        "recording.wav",
        &wav,
        &hugme_media::Settings::default(),
        &hugme_media::Control::default(),
    )
    .unwrap();
    let audio = MediaRef {
        hash: imported.blob.hash.clone(),
        mime: imported.mime.to_string(),
        size: imported.blob.size,
        width: None,
        height: None,
        caption: Default::default(),
        thumbnail: None,
        preview: None,
    };
    // One recording held here, one that has not arrived (its hash names no file here).
    let absent = MediaRef {
        hash: "ab".repeat(32),
        ..audio.clone()
    };
    change::<Project>(&store, &project, |p| {
        p.voice_answers.push(VoiceAnswer {
            field: "phenomenon.title".into(),
            audio: audio.clone(),
            recorded_at: 1,
        });
        p.voice_answers.push(VoiceAnswer {
            field: "reflection.learned".into(),
            audio: absent,
            recorded_at: 2,
        });
    });
    store.flush().unwrap();
    for format in [Format::Cc11, Format::Cc13, Format::Html] {
        let out = data.path().join(format!("class-{format:?}.zip"));
        let summary = export_as(&store, &Scope::Class(class.clone()), format, false, &out);
        let files = unzip(&out);
        // The recording, byte for byte.
        let kept = files
            .iter()
            .find(|(_, bytes)| *bytes == wav)
            .unwrap_or_else(|| panic!("{format:?}: the recording is not in the export"));
        let name = kept.0.rsplit('/').next().unwrap().to_owned();
        let page = files
            .iter()
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .find(|text| text.contains("id=\"voice\""))
            .expect("a page with the spoken answers");
        let section = &page[page.find("id=\"voice\"").unwrap()..];
        // In the class's language (the sample class is Finnish), under the field's name.
        assert!(section.contains("Puhutut vastaukset"), "{section}");
        assert!(section.contains("Ilmiö"), "{section}");
        assert!(
            section.contains(&name),
            "{format:?}: the page plays its file: {section}"
        );
        assert!(section.contains("Mitä opimme"), "{section}");
        assert!(section.contains("ei ollut vielä ehtinyt"), "{section}");
        assert!(
            summary
                .missing
                .iter()
                .any(|m| m.kind == hugme_export::MediaKind::Audio),
            "{:?}",
            summary.missing
        );
    }
}
