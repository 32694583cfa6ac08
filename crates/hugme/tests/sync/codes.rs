//! Enrolment by the short code on the teacher's screen: typed right, a tablet is in and syncs;
//! typed wrong, it learns nothing, and a code tried too often is void.

use crate::*;

/// The teacher enrols a tablet of `group` (the hub stops while its folder is used, and
/// serves again after); the short code it prints.
fn enrol(teacher: &Path, group: &str, serving: Serving) -> (String, Serving) {
    drop(serving);
    let said = ok(&["enrol", path(teacher), "--group", group]);
    let line = said
        .lines()
        .find_map(|l| l.strip_prefix("code "))
        .unwrap_or_else(|| panic!("no code in {said:?}"));
    let code = line.split(" (").next().unwrap().to_owned();
    assert_eq!(code.len(), 10, "eight digits in three groups: {code:?}");
    (code, Serving::start(teacher))
}

fn join(dir: &Path, code: &str, addr: &str) -> (bool, String) {
    let out = hugme(&[
        "join",
        path(dir),
        "--code",
        code,
        "--hub",
        addr,
        "--no-discovery",
    ]);
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

/// Another code with the same slot: the first digit of the secret changed.
fn wrong(code: &str) -> String {
    let mut digits: Vec<char> = code.chars().collect();
    digits[3] = if digits[3] == '9' { '0' } else { '9' };
    digits.into_iter().collect()
}

#[test]
fn a_tablet_joins_with_the_code_typed_from_the_teachers_screen_and_syncs() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.kettu, "Kettu", "Linnut talvella");
    assert!(sync(&class.kettu, &serving.addr).0);

    let (code, serving) = enrol(&class.teacher, "Kettu", serving);
    let tablet = class.root.path().join("kettu-2");
    // Typed as a pupil might: without the spaces.
    let (joined, said) = join(&tablet, &code.replace(' ', ""), &serving.addr);
    assert!(joined, "{said}");
    assert!(said.contains("joined class 5B"), "{said}");
    assert!(sync(&tablet, &serving.addr).0);
    assert_eq!(titles(&tablet), vec!["Linnut talvella".to_string()]);
    // The invitation is used: the same code does not let a second tablet in.
    let (joined, said) = join(&class.root.path().join("kettu-3"), &code, &serving.addr);
    assert!(!joined, "{said}");
}

#[test]
fn a_wrong_code_learns_nothing_and_an_address_that_tries_too_often_is_refused() {
    let (class, serving) = Classroom::new();
    class.new_project(&class.kettu, "Kettu", "Salainen aihe");
    assert!(sync(&class.kettu, &serving.addr).0);
    let (code, serving) = enrol(&class.teacher, "Saukot", serving);
    let stranger = class.root.path().join("stranger");

    let (joined, said) = join(&stranger, &wrong(&code), &serving.addr);
    assert!(!joined);
    assert!(said.contains("not right"), "{said}");
    assert!(!said.contains("5B") && !said.contains("Salainen"), "{said}");
    assert_eq!(crate::open_app(&stranger).device(), None, "not enrolled");
    assert!(titles(&stranger).is_empty());
    assert!(
        serving.log().contains("refused a typed code"),
        "{}",
        serving.log()
    );

    // A tablet that is not the teacher's device enrols nobody.
    let kettu_serving = Serving::start(&class.kettu);
    let (joined, said) = join(&stranger, &code, &kettu_serving.addr);
    assert!(!joined);
    assert!(said.contains("not a teacher's device"), "{said}");
    assert_eq!(crate::open_app(&stranger).device(), None);

    // Two more wrong guesses (three from this address): the address may try no more, not
    // even the right code, and the code keeps its other tries for the tablet it is for (a
    // code is void after five tries in all: `hugme-node`'s `enrolment::codes` tests).
    for _ in 0..2 {
        assert!(!join(&stranger, &wrong(&code), &serving.addr).0);
    }
    let (joined, said) = join(&stranger, &code, &serving.addr);
    assert!(!joined);
    assert!(said.contains("tried too often"), "{said}");
    assert!(titles(&stranger).is_empty());
    assert!(
        serving.log().contains("tried the open codes too often"),
        "{}",
        serving.log()
    );

    // The unused enrolment left no trace in the class list: only the tablet that joined.
    drop(serving);
    let teacher = crate::open_app(&class.teacher);
    let id = teacher.store().meta("class_id").unwrap().unwrap();
    let roster = teacher.read::<hugme_model::Class>(&id).unwrap().value;
    let saukot = roster
        .devices
        .iter()
        .filter(|d| d.name == "Saukot tablet")
        .count();
    assert_eq!(saukot, 1, "{:?}", roster.devices);
}
