use std::net::SocketAddr;

use super::*;

const GB: u64 = 1 << 30;

fn roomy() -> Option<Space> {
    Some(Space {
        free: 20 * GB,
        total: 64 * GB,
    })
}

fn peer() -> Peer {
    Peer {
        device: "teacher".into(),
        addresses: vec!["10.0.0.2:7420".parse::<SocketAddr>().unwrap()],
    }
}

fn tried(source: Source, outcome: Outcome) -> Attempt {
    Attempt {
        addr: "10.0.0.2:7420".into(),
        source,
        outcome,
    }
}

fn synced(offset: Option<i64>) -> Outcome {
    Outcome::Synced {
        peer: "teacher".into(),
        clock_offset: offset,
    }
}

fn problems(facts: &Facts) -> Vec<String> {
    diagnose(facts)
        .into_iter()
        .filter(|f| f.problem)
        .map(|f| f.says)
        .collect()
}

#[test]
fn all_well_says_no_problem() {
    let facts = Facts {
        space: roomy(),
        heard: Some(vec![peer()]),
        attempts: vec![tried(Source::Mdns, synced(Some(400)))],
    };
    assert!(problems(&facts).is_empty(), "{:?}", diagnose(&facts));
}

#[test]
fn heard_nobody_but_an_address_answered_means_multicast_is_blocked() {
    let facts = Facts {
        space: roomy(),
        heard: Some(vec![]),
        attempts: vec![tried(Source::Enrolment, synced(None))],
    };
    let p = problems(&facts);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("Multicast seems blocked"), "{p:?}");
    let todo = diagnose(&facts)[0].todo.clone().unwrap();
    assert!(todo.contains("5353"), "{todo}");
}

#[test]
fn nobody_heard_and_nobody_answering_means_no_hub() {
    let facts = Facts {
        space: roomy(),
        heard: Some(vec![]),
        attempts: vec![tried(Source::Enrolment, Outcome::NoAnswer)],
    };
    let p = problems(&facts);
    assert!(p.iter().any(|s| s.starts_with("No hub")), "{p:?}");
    assert!(p.iter().any(|s| s.contains("did not answer")), "{p:?}");
    // No address known at all: still "no hub", with the way to type one.
    let facts = Facts {
        space: roomy(),
        heard: Some(vec![]),
        attempts: vec![],
    };
    let findings = diagnose(&facts);
    assert!(findings[0].says.contains("no address is known"));
    assert!(findings[0].todo.as_deref().unwrap().contains("--peer"));
}

#[test]
fn a_refused_port_and_a_tablet_gone_home_are_told_apart() {
    let facts = Facts {
        space: roomy(),
        heard: Some(vec![peer()]),
        attempts: vec![
            tried(Source::Mdns, synced(None)),
            tried(Source::Typed, Outcome::Refused),
            tried(Source::LastSeen, Outcome::NoAnswer),
        ],
    };
    let p = problems(&facts);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("refused the connection"), "{p:?}");
}

#[test]
fn a_clock_minutes_off_is_a_problem_and_seconds_are_not() {
    let facts = |offset| Facts {
        space: roomy(),
        heard: Some(vec![peer()]),
        attempts: vec![tried(Source::Mdns, synced(Some(offset)))],
    };
    assert!(problems(&facts(30_000)).is_empty());
    let p = problems(&facts(2 * 60 * 60 * 1000));
    assert_eq!(p, ["This device's clock is 120 minutes behind teacher's."]);
    let p = problems(&facts(-10 * 60 * 1000));
    assert_eq!(p, ["This device's clock is 10 minutes ahead of teacher's."]);
}

#[test]
fn a_nearly_full_disk_and_certificate_dates_say_what_to_do() {
    let facts = Facts {
        space: Some(Space {
            free: GB / 4,
            total: 32 * GB,
        }),
        heard: None,
        attempts: vec![tried(
            Source::Enrolment,
            Outcome::Failed("invalid peer certificate: NotValidYet".into()),
        )],
    };
    let findings = diagnose(&facts);
    let disk = findings
        .iter()
        .find(|f| f.says.contains("nearly full"))
        .unwrap();
    assert!(
        disk.says.contains("256 MB free of 32.0 GB"),
        "{}",
        disk.says
    );
    let cert = findings.iter().find(|f| f.says.contains("failed")).unwrap();
    assert!(cert.todo.as_deref().unwrap().contains("date and time"));
    // Problems come first, then what is fine.
    let first_fine = findings.iter().position(|f| !f.problem).unwrap();
    assert!(findings[first_fine..].iter().all(|f| !f.problem));
    let text = report(&findings);
    assert!(text.starts_with("PROBLEM  "), "{text}");
    assert!(text.contains("What to do: "), "{text}");
}
