//! The session over an in-memory network: deterministic, no sockets, no sleeps.

mod class;
mod convergence;
mod forgery;
mod identities;
mod live;
mod removal;

use std::collections::VecDeque;

use automerge::transaction::Transactable;
use automerge::AutoCommit;
use hugme_model::{Class, Device, DeviceId, DeviceRole, DocumentKind, GroupId, Project};
use hugme_sync::identity::Authority;
use hugme_sync::policy::actor_for;
use hugme_sync::{Effect, MemoryReplica, Replica, Session};

/// A device of the test class: its id and its replica.
#[derive(Debug)]
pub struct Peer {
    pub id: String,
    pub replica: MemoryReplica,
}

/// What one connection did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub effects: Vec<(String, Effect)>,
    /// Bytes of frame bodies each way: (first → second, second → first).
    pub bytes: (usize, usize),
    pub frames: usize,
    pub finished: bool,
}

impl Outcome {
    pub fn refused(&self) -> Vec<&Effect> {
        self.effects
            .iter()
            .map(|(_, e)| e)
            .filter(|e| matches!(e, Effect::Refused { .. }))
            .collect()
    }
    pub fn closed(&self) -> Vec<String> {
        self.effects
            .iter()
            .filter_map(|(_, e)| match e {
                Effect::Close { reason } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }
}

pub const CLASS: &str = "class-5b";

/// Connects two peers and delivers frames in order until neither has anything to say, or
/// until `cut_after` frames have been delivered (a connection that breaks).
pub fn connect(a: &mut Peer, b: &mut Peer, cut_after: Option<usize>) -> Outcome {
    let sa = Session::new(&a.id, CLASS, &b.id);
    let sb = Session::new(&b.id, CLASS, &a.id);
    connect_sessions(a, b, sa, sb, cut_after).0
}

/// [`connect`] with sessions made by the caller; returns them too, to look at afterwards.
pub fn connect_sessions(
    a: &mut Peer,
    b: &mut Peer,
    mut sa: Session,
    mut sb: Session,
    cut_after: Option<usize>,
) -> (Outcome, Session, Session) {
    let mut out = Outcome::default();
    let from_a = sa.start(&mut a.replica);
    let from_b = sb.start(&mut b.replica);
    pump(
        a,
        b,
        (&mut sa, &mut sb),
        (from_a, from_b),
        cut_after,
        &mut out,
    );
    out.finished = sa.is_finished() && sb.is_finished();
    (out, sa, sb)
}

/// Carries frames between two open sessions, in order, until neither has more to say (or
/// `cut_after` frames, or one closes): `said` is what each has just said, a's first.
pub fn pump(
    a: &mut Peer,
    b: &mut Peer,
    (sa, sb): (&mut Session, &mut Session),
    said: (Vec<Effect>, Vec<Effect>),
    cut_after: Option<usize>,
    out: &mut Outcome,
) {
    // (to_b, body) in flight.
    let mut wire: VecDeque<(bool, Vec<u8>)> = VecDeque::new();
    let (a_id, b_id) = (a.id.clone(), b.id.clone());
    let push = |effects: Vec<Effect>,
                from_a: bool,
                out: &mut Outcome,
                wire: &mut VecDeque<(bool, Vec<u8>)>| {
        let from = if from_a { &a_id } else { &b_id };
        for e in effects {
            if let Effect::Send(body) = &e {
                wire.push_back((from_a, body.clone()));
            } else {
                out.effects.push((from.clone(), e));
            }
        }
    };
    push(said.0, true, out, &mut wire);
    push(said.1, false, out, &mut wire);
    let trace = std::env::var("TRACE_FRAMES").is_ok();
    while let Some((to_b, body)) = wire.pop_front() {
        if trace && out.frames < 60 {
            let m = hugme_sync::Message::decode(&body).unwrap();
            let text = format!("{m:?}");
            eprintln!(
                "{} {}",
                if to_b { "->" } else { "<-" },
                &text[..text.len().min(150)]
            );
        }
        if cut_after.is_some_and(|n| out.frames >= n) {
            return;
        }
        out.frames += 1;
        if to_b {
            out.bytes.0 += body.len();
            let effects = sb.receive(&body, &mut b.replica);
            push(effects, false, out, &mut wire);
        } else {
            out.bytes.1 += body.len();
            let effects = sa.receive(&body, &mut a.replica);
            push(effects, true, out, &mut wire);
        }
        if sa.is_closed() || sb.is_closed() {
            break;
        }
        assert!(out.frames < 1_000_000, "the sessions never go quiet");
    }
}

/// A device entry of the class roster.
pub fn device(id: &str, role: DeviceRole, groups: &[&GroupId]) -> Device {
    Device {
        id: DeviceId::from(id),
        name: id.into(),
        role,
        groups: groups.iter().map(|g| (*g).clone()).collect(),
        enrolled_at: 0,
        revoked: false,
        left_at: None,
        written_before_removal: Vec::new(),
    }
}

/// The class of the tests: teacher `ope`, a hub, tablets of groups Kettu and Saukot.
#[derive(Debug)]
pub struct School {
    pub ca: Authority,
    pub teacher: Peer,
    pub hub: Peer,
    pub kettu: Peer,
    pub saukot: Peer,
    pub kettu_group: GroupId,
    pub saukot_group: GroupId,
}

pub fn school() -> School {
    let mut class = Class::new("5B");
    class.id = hugme_model::ClassId::from(CLASS);
    let kettu_group = class.add_group("Kettu");
    let saukot_group = class.add_group("Saukot");
    class.devices = vec![
        device("ope", DeviceRole::Teacher, &[]),
        device("hub", DeviceRole::Hub, &[]),
        device("kettu-tab", DeviceRole::GroupTablet, &[&kettu_group]),
        device("saukot-tab", DeviceRole::GroupTablet, &[&saukot_group]),
    ];
    let mut doc = AutoCommit::new().with_actor(actor_for("ope"));
    hugme_model::write(&mut doc, &class).unwrap();
    doc.commit();
    let ca = Authority::create(CLASS).unwrap();
    let mut teacher = enrolled(&ca, "ope", "teacher");
    teacher
        .replica
        .insert_document(CLASS, DocumentKind::Class, doc, &[])
        .unwrap();
    let hub = joined(&ca, &mut teacher, "hub", "hub");
    let kettu = joined(&ca, &mut teacher, "kettu-tab", "group-tablet");
    let saukot = joined(&ca, &mut teacher, "saukot-tab", "group-tablet");
    School {
        ca,
        teacher,
        hub,
        kettu,
        saukot,
        kettu_group,
        saukot_group,
    }
}

/// A device with credentials of the class CA in `role`, holding nothing yet.
pub fn enrolled(ca: &Authority, id: &str, role: &str) -> Peer {
    let credentials = ca.credentials_for(id, role).unwrap();
    Peer {
        id: id.into(),
        replica: MemoryReplica::with_credentials(&credentials).unwrap(),
    }
}

/// A device that joined as enrolment does it: the class document as the teacher's device
/// holds it, with its authors' signatures and certificates.
pub fn joined(ca: &Authority, teacher: &mut Peer, id: &str, role: &str) -> Peer {
    let mut peer = enrolled(ca, id, role);
    let class = teacher.replica.document(CLASS).unwrap().unwrap().fork();
    peer.replica
        .insert_document(CLASS, DocumentKind::Class, class, &[])
        .unwrap();
    let (signatures, certificates) = Session::new(&teacher.id, CLASS, "")
        .signatures_of(CLASS, &mut teacher.replica)
        .unwrap();
    for s in &signatures {
        peer.replica.keep_signature(CLASS, s).unwrap();
    }
    for (s, der) in signatures.iter().zip(certificates) {
        peer.replica.keep_certificate(&s.signer, &der).unwrap();
    }
    peer
}

/// A new project of `group` written by `peer`.
pub fn new_project(peer: &mut Peer, id: &str, group: &GroupId, title: &str) {
    let mut project = Project::new(CLASS.into(), group.clone(), title, 0);
    project.id = hugme_model::ProjectId::from(id);
    let mut doc = AutoCommit::new().with_actor(actor_for(&peer.id));
    hugme_model::write(&mut doc, &project).unwrap();
    doc.commit();
    peer.replica
        .insert_document(id, DocumentKind::Project, doc, &[])
        .unwrap();
}

/// `peer` writes `value` under `key` at the root of a document it holds.
pub fn edit(peer: &mut Peer, doc: &str, key: &str, value: &str) {
    let actor = actor_for(&peer.id);
    let doc = peer
        .replica
        .document(doc)
        .unwrap()
        .expect("the document is held");
    doc.set_actor(actor);
    doc.put(automerge::ROOT, key, value).unwrap();
    doc.commit();
}

pub fn value(peer: &mut Peer, doc: &str, key: &str) -> Option<String> {
    use automerge::ReadDoc;
    let doc = peer.replica.document(doc).unwrap()?;
    let (value, _) = doc.get(automerge::ROOT, key).unwrap()?;
    value.into_string().ok()
}

/// Two distinct peers of four, both mutable.
pub fn pair(peers: &mut [Peer; 4], a: usize, b: usize) -> (&mut Peer, &mut Peer) {
    if a < b {
        let (l, r) = peers.split_at_mut(b);
        (&mut l[a], &mut r[0])
    } else {
        let (l, r) = peers.split_at_mut(a);
        (&mut r[0], &mut l[b])
    }
}
