//! What proving authorship costs (issue 16): the bytes a signature adds to a sync message,
//! the time to verify one, and the time to check who wrote a project's changes with it.
//!
//! `cargo bench -p hugme --bench authorship [-- --changes 2000]`. The sync bench measures the
//! same in place (catch-up, reconnect, fleet); this one says where the cost is.

use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::AutoCommit;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let changes = args
        .iter()
        .position(|a| a == "--changes")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    signature_costs(changes);
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What proving authorship costs: the bytes a signature adds to a sync message, the time
/// to verify one, and the time to check who wrote a project's `changes` changes with it (the
/// walk through the dependency hashes beneath the one signature of their author).
fn signature_costs(changes: usize) {
    use hugme_sync::authorship::{self, SigningKey};
    use hugme_sync::frame::Message;
    let ca = hugme_sync::identity::Authority::create("5B").expect("a CA");
    let creds = ca
        .credentials_for("kettu-tab", "group-tablet")
        .expect("credentials");
    let key = SigningKey::new("kettu-tab", &creds.key).expect("a key");
    let certified =
        authorship::certified(&creds.certificate, ca.certificate(), "5B").expect("certified");
    let mut doc = AutoCommit::new().with_actor(hugme_sync::policy::actor_for("kettu-tab"));
    for i in 0..changes {
        doc.put(automerge::ROOT, "n", i as u64).expect("written");
        doc.commit();
    }
    let all = doc.get_changes(&[]);
    let top = all.last().expect("changes");
    let signature = key
        .sign("5B", "p", top.hash().0, top.seq())
        .expect("signed");
    let frame = |signatures| {
        Message::Sync {
            document: "p".into(),
            message: Vec::new(),
            signatures,
        }
        .encode()
        .len()
    };
    let bytes = frame(vec![signature.clone()]) - frame(Vec::new());
    let n = 1000u32;
    let start = Instant::now();
    for _ in 0..n {
        assert!(certified.verifies("5B", "p", &signature));
    }
    let verify = start.elapsed() / n;
    let start = Instant::now();
    let vouched = authorship::vouch(&all, |_| false, &[], std::slice::from_ref(&signature));
    let walk = start.elapsed();
    assert!(vouched.is_ok());
    println!(
        "authorship: {bytes} bytes per author per sync message ({:.3} bytes per change of a {changes}-change project); verifying a signature {:.0} µs; checking who wrote {changes} changes {:.2} ms = {:.2} µs per change (signature and walk)",
        bytes as f64 / changes as f64,
        verify.as_secs_f64() * 1e6,
        ms(walk),
        (verify + walk).as_secs_f64() * 1e6 / changes as f64
    );
}
