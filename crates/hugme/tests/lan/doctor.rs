//! `hugme doctor` on a real network: it says what is wrong as the network breaks, one way
//! after another.

use crate::class::{path, Class};
use crate::net::Lan;

#[test]
fn the_doctor_tells_blocked_multicast_and_a_missing_hub_apart() {
    let root = tempfile::tempdir().unwrap();
    let mut lan = Lan::new(2);
    let class = Class::enrol(&mut lan, root.path(), &["Ketut"], &[]);
    let tablet = path(&class.tablets[0]);

    // All well: the teacher's device is heard by mDNS and answers. (The disk is this
    // machine's, and may really be nearly full: that is the doctor's business, not this test's.)
    let (_, said) = lan.try_run(1, &["doctor", tablet]);
    assert!(said.contains("Multicast works: 1 device(s)"), "{said}");
    assert!(said.contains("Synced with"), "{said}");
    let problems: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("PROBLEM") && !l.contains("disk is nearly full"))
        .collect();
    assert!(problems.is_empty(), "{said}");

    // The access point starts dropping multicast: the hub still answers at its address.
    lan.drop_multicast();
    let (well, said) = lan.try_run(1, &["doctor", tablet]);
    assert!(!well, "{said}");
    assert!(said.contains("PROBLEM  Multicast seems blocked"), "{said}");
    assert!(said.contains("What to do: "), "{said}");

    // The teacher's device stops serving: the tablet is told there is no hub, and that the
    // device is there but refuses the connection.
    lan.kill(0);
    let (well, said) = lan.try_run(1, &["doctor", tablet]);
    assert!(!well, "{said}");
    assert!(said.contains("No hub"), "{said}");
    assert!(said.contains("refused the connection"), "{said}");
    eprintln!("{said}");
}
