//! Tests of signing and vouching, with real keys from a class CA.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Change, ROOT};

use super::*;
use crate::identity::Authority;
use crate::policy::actor_for;

struct Device {
    key: SigningKey,
    certified: Certified,
}

fn device(ca: &Authority, id: &str) -> Device {
    let creds = ca.credentials_for(id, "group-tablet").unwrap();
    Device {
        key: SigningKey::new(id, &creds.key).unwrap(),
        certified: certified(&creds.certificate, ca.certificate(), "5b").unwrap(),
    }
}

/// `n` changes by `actor` on top of `doc`.
fn write(doc: &mut AutoCommit, actor: &str, n: usize) -> Vec<Change> {
    doc.set_actor(actor_for(actor));
    let before = doc.get_heads();
    for i in 0..n {
        doc.put(ROOT, "n", i as u64).unwrap();
        doc.commit();
    }
    doc.get_changes(&before)
}

fn newest(changes: &[Change]) -> &Change {
    changes.iter().max_by_key(|c| c.seq()).unwrap()
}

#[test]
fn a_signature_verifies_for_its_class_document_change_and_signer_only() {
    let ca = Authority::create("5b").unwrap();
    let kettu = device(&ca, "kettu-tab");
    let saukot = device(&ca, "saukot-tab");
    let s = kettu.key.sign("5b", "p1", [7; 32], 3).unwrap();
    assert_eq!(s.signature.len(), SIGNATURE_LEN);
    assert!(kettu.certified.verifies("5b", "p1", &s));
    assert!(
        !kettu.certified.verifies("5b", "p2", &s),
        "another document"
    );
    assert!(!kettu.certified.verifies("6a", "p1", &s), "another class");
    assert!(
        !saukot.certified.verifies("5b", "p1", &s),
        "another device's key"
    );
    let mut moved = s.clone();
    moved.seq = 4;
    assert!(
        !kettu.certified.verifies("5b", "p1", &moved),
        "another change"
    );
    let mut claimed = s.clone();
    claimed.signer = "saukot-tab".into();
    assert!(
        !saukot.certified.verifies("5b", "p1", &claimed),
        "a signature claimed by another"
    );
}

#[test]
fn a_certificate_of_another_class_or_ca_is_refused() {
    let ca = Authority::create("5b").unwrap();
    let other = Authority::create("5b").unwrap();
    let creds = other.credentials_for("kettu-tab", "teacher").unwrap();
    assert!(certified(&creds.certificate, ca.certificate(), "5b").is_err());
    let creds = ca.credentials_for("kettu-tab", "teacher").unwrap();
    assert!(certified(&creds.certificate, ca.certificate(), "6a").is_err());
    let ok = certified(&creds.certificate, ca.certificate(), "5b").unwrap();
    assert_eq!(ok.role.as_deref(), Some("teacher"));
    assert!(certified(b"not a certificate", ca.certificate(), "5b").is_err());
}

#[test]
fn one_signature_vouches_for_every_change_of_its_signer_beneath_it() {
    let ca = Authority::create("5b").unwrap();
    let kettu = device(&ca, "kettu-tab");
    let mut doc = AutoCommit::new();
    let mut changes = write(&mut doc, "kettu-tab", 5);
    changes.extend(write(&mut doc, "ope", 2));
    changes.extend(write(&mut doc, "kettu-tab", 3));
    let top = newest(&changes[7..]).clone();
    let kettu_sig = kettu.key.sign("5b", "p1", top.hash().0, top.seq()).unwrap();
    let ope = device(&ca, "ope");
    let ope_top = newest(&changes[5..7]).clone();
    let ope_sig = ope
        .key
        .sign("5b", "p1", ope_top.hash().0, ope_top.seq())
        .unwrap();
    let sigs = [kettu_sig.clone(), ope_sig];
    let used = vouch(&changes, |_| false, &[], &sigs).unwrap();
    assert_eq!(used.len(), 2);

    // Without the teacher's signature, its changes are not vouched for, though kettu's
    // signature lies above them.
    let err = vouch(&changes, |_| false, &[], std::slice::from_ref(&kettu_sig));
    assert!(matches!(err, Err(Unvouched::Forged { device, .. }) if device == "ope"));
}

#[test]
fn a_forged_change_under_a_signers_name_is_not_vouched_for() {
    let ca = Authority::create("5b").unwrap();
    let ope = device(&ca, "ope");
    let mut doc = AutoCommit::new();
    let genuine = write(&mut doc, "ope", 3);
    let sig = ope
        .key
        .sign("5b", "c", newest(&genuine).hash().0, 3)
        .unwrap();
    // A pupil's tools append a change with the teacher's actor on top.
    let mut forger = doc.fork();
    let forged = write(&mut forger, "ope", 1);
    let mut all = genuine.clone();
    all.extend(forged.clone());
    let result = vouch(&all, |_| false, &[], std::slice::from_ref(&sig));
    assert!(
        matches!(result, Err(Unvouched::Forged { .. })),
        "{result:?}"
    );
    // The genuine signature replayed with the forged change's hash does not verify.
    let mut replayed = sig.clone();
    replayed.hash = forged[0].hash().0;
    replayed.seq = forged[0].seq();
    assert!(!ope.certified.verifies("5b", "c", &replayed));
    // And a signature naming another author's change vouches for nothing.
    let mut other = AutoCommit::new();
    let theirs = write(&mut other, "kettu-tab", 1);
    let mut misnamed = sig.clone();
    misnamed.hash = theirs[0].hash().0;
    misnamed.seq = 1;
    let mut with_theirs = theirs.clone();
    with_theirs.extend(genuine);
    assert!(matches!(
        vouch(&with_theirs, |_| false, &[], &[misnamed]),
        Err(Unvouched::Forged { .. })
    ));
}

#[test]
fn a_signed_change_still_on_its_way_makes_the_rest_wait_and_then_vouches() {
    let ca = Authority::create("5b").unwrap();
    let kettu = device(&ca, "kettu-tab");
    let mut doc = AutoCommit::new();
    let changes = write(&mut doc, "kettu-tab", 4);
    let top = newest(&changes);
    let sig = kettu.key.sign("5b", "p1", top.hash().0, top.seq()).unwrap();
    // The first three arrive without the fourth, which the signature names.
    let first = &changes[..3];
    assert!(matches!(
        vouch(first, |_| false, &[], std::slice::from_ref(&sig)),
        Err(Unvouched::Waiting { .. })
    ));
    // Once the fourth arrived earlier in the session (held back by Automerge), they vouch.
    let earlier = [top.clone()];
    assert!(vouch(first, |_| false, &earlier, std::slice::from_ref(&sig)).is_ok());
    // Changes already held need nothing.
    assert!(vouch(first, |_| true, &[], &[]).is_ok());
}
