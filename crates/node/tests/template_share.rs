//! A template handed from one teacher's device to another's, of another class, by a short code
//! over the school network: real devices serving over loopback TCP and TLS, each network side
//! on its own thread as in the app.

use std::sync::Arc;

use hugme_app::App;
use hugme_node::{enrolment, templates};

mod common;
use common::{no_reach, start, teacher};

#[test]
fn a_template_shared_by_code_reaches_another_classs_teacher_and_nothing_else_does() {
    let root = tempfile::tempdir().unwrap();
    let (sharing, taking) = (
        teacher(root.path(), "2A", "2A", &["Ketut"]),
        teacher(root.path(), "3B", "3B", &["Ketut"]),
    );
    let network = start(sharing.clone(), no_reach());
    let at = vec![network.addr().to_string()];
    let template = sharing.library_template("journey-of-water", "sv").unwrap();
    let (code, expires_at) = templates::share(&sharing, &template).unwrap();
    assert_eq!(code.replace(' ', "").len(), 8, "{code}");
    assert!(expires_at > hugme_store::now_ms());

    // The other teacher types the code: the template arrives whole and checked.
    let received = templates::receive(&code, &at).unwrap();
    assert_eq!(received, template);
    let class = taking.store().meta("class_id").unwrap().unwrap();
    assert_eq!(taking.apply_template(&class, &received, None).unwrap(), 1);

    // A wrong code gets nothing; guessing uses the code up, then even the right one fails.
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let last = digits.chars().last().unwrap();
    let wrong = format!("{}{}", &digits[..7], if last == '0' { '1' } else { '0' });
    let err = templates::receive(&wrong, &at).unwrap_err();
    assert_eq!(err.code(), hugme_app::ErrorCode::WrongCode, "{err}");
    for _ in 0..enrolment::MAX_ATTEMPTS {
        let _ = templates::receive(&wrong, &at);
    }
    let err = templates::receive(&code, &at).unwrap_err();
    assert!(
        err.to_string().contains("too often") || err.code() == hugme_app::ErrorCode::WrongCode,
        "{err}"
    );

    // An enrolment code is not a template: told so, nothing applied.
    let tablet_code = enrolment::enrol(&sharing, Some("Ketut"), false, &at, None)
        .unwrap()
        .view()
        .unwrap()
        .code;
    let err = templates::receive(&tablet_code, &at).unwrap_err();
    assert_eq!(err.code(), hugme_app::ErrorCode::BadTemplate, "{err}");

    // A share long expired never shadows a tablet's code that later took its slot.
    let fresh = enrolment::enrol(&sharing, Some("Ketut"), false, &at, None)
        .unwrap()
        .view()
        .unwrap()
        .code;
    let slot = hugme_sync::code::ShortCode::parse(&fresh).unwrap().slot;
    sharing
        .store()
        .set_meta(
            &format!("template_share:{slot}"),
            r#"{"secret":"000000","template":"{}","expires_at":0,"attempts":0}"#,
        )
        .unwrap();
    let invitation = enrolment::invitation_by_code(&fresh, &at).unwrap();
    assert_eq!(
        invitation.class,
        sharing.store().meta("class_id").unwrap().unwrap()
    );

    // Only a teacher's device shares.
    let tablet = Arc::new(App::open(&root.path().join("tablet")).unwrap());
    hugme_app::sample::create(&tablet).unwrap();
    let err = templates::share(&tablet, &template).unwrap_err();
    assert_eq!(err.code(), hugme_app::ErrorCode::NotTeacher, "{err}");
    drop(network);
}
