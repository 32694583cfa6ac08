//! The app's own sync: a tablet's `App` serves sessions over real TLS while pupils edit, on
//! the same open documents; what a peer sends shows in the app at once, with an event.

use std::sync::Arc;
use std::time::Duration;

use hugme_node::Node;

use crate::{free_address, ok, path, sync, Classroom};

#[test]
fn the_app_syncs_while_pupils_edit_and_hears_of_what_peers_send() {
    let (class, serving) = Classroom::new();
    drop(serving);
    let app = Arc::new(crate::open_app(&class.kettu));
    let events = app.subscribe();
    let classes = app.classes().unwrap();
    let kettu = classes[0]
        .groups
        .iter()
        .find(|g| g.name.as_str() == "Kettu")
        .unwrap()
        .id
        .clone();
    let project = app
        .create_project(&classes[0].id, &kettu, "Miksi lumi narisee?")
        .unwrap();

    // The app serves on loopback, as it does on the classroom's Wi-Fi.
    let hub = Arc::new(Node::of(app.clone()).unwrap());
    let addr = free_address();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(&addr))
        .unwrap();
    runtime.spawn(hugme_sync::net::serve(listener, hub, false));

    // The teacher's device syncs with the tablet: the project reaches it.
    let (in_step, said) = sync(&class.teacher, &addr);
    assert!(in_step, "{said}");
    let project_id = project.to_string();
    ok(&[
        "project",
        "add-question",
        path(&class.teacher),
        &project_id,
        "--text",
        "Kuuluuko narina pakkasella kauemmas?",
    ]);
    while events.try_recv().is_ok() {}

    // The teacher's device sends its change: the app, still open, shows it and says so.
    let (in_step, said) = sync(&class.teacher, &addr);
    assert!(in_step, "{said}");
    let event = events
        .recv_timeout(Duration::from_secs(5))
        .expect("an event for the changed project");
    assert_eq!(event.id, project_id);
    let held = app.project(&project).unwrap().value;
    assert_eq!(held.research.questions.len(), 1);

    // Pupils go on editing the same open document; the next sync carries it back.
    app.update_project(&project, |p| {
        p.title = hugme_model::Text::with_value("Miksi lumi narisee pakkasella?");
        Ok(())
    })
    .unwrap();
    let (in_step, said) = sync(&class.teacher, &addr);
    assert!(in_step, "{said}");
    let json = ok(&["inspect", path(&class.teacher), "--json"]);
    assert!(
        json.contains("Miksi lumi narisee pakkasella?") && json.contains("kauemmas"),
        "{json}"
    );
}
