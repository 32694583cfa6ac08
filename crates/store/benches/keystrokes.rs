//! Replays the automerge-paper editing trace one commit per keystroke into a project's answer:
//! (a) Automerge alone in memory, (b) through the store with every commit persisted and
//! acknowledged. Prints a, b, b/a; sizes on disk before and after compaction; and the time to
//! reopen the store against `AutoCommit::load` of the same bytes.
//!
//! Run: `cargo bench -p hugme-store --bench keystrokes` (add `-- --runs N`, default 3).

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use automerge::{transaction::Transactable, AutoCommit, ObjId, ReadDoc, ROOT};
use hugme_model::{write, ClassId, GroupId, Project};
use hugme_store::{Store, StoredDocument, Ticket};

type Patch = (usize, usize, String);

fn load_trace() -> Vec<Patch> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/bench/traces/automerge-paper.json.gz");
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut json = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut json)
        .expect("trace is gzip JSON");
    let trace: serde_json::Value = serde_json::from_str(&json).expect("trace is JSON");
    let mut patches = Vec::new();
    for txn in trace["txns"].as_array().expect("txns") {
        for p in txn["patches"].as_array().expect("patches") {
            let ins = p[2].as_str().expect("insert text").to_owned();
            // Trace positions are code points; the store indexes UTF-8 bytes. This trace is
            // ASCII, so both agree and neither side pays for a conversion.
            assert!(
                ins.is_ascii(),
                "the trace must be ASCII for positions to be bytes"
            );
            patches.push((
                p[0].as_u64().expect("pos") as usize,
                p[1].as_u64().expect("del") as usize,
                ins,
            ));
        }
    }
    patches
}

fn project_doc() -> (AutoCommit, ObjId) {
    let project = Project::new(ClassId::random(), GroupId::random(), "Paper", 0);
    let mut doc = AutoCommit::new();
    write(&mut doc, &project).expect("write project");
    doc.commit();
    let why = answer_obj(&doc);
    (doc, why)
}

fn answer_obj(doc: &AutoCommit) -> ObjId {
    let (_, phen) = doc
        .get(ROOT, "phenomenon")
        .ok()
        .flatten()
        .expect("phenomenon");
    doc.get(&phen, "why").ok().flatten().expect("why").1
}

fn apply(doc: &mut AutoCommit, obj: &ObjId, (pos, del, ins): &Patch) {
    doc.splice_text(obj, *pos, *del as isize, ins)
        .expect("splice");
}

fn in_memory(trace: &[Patch]) -> (Duration, AutoCommit) {
    let (mut doc, obj) = project_doc();
    let start = Instant::now();
    for patch in trace {
        apply(&mut doc, &obj, patch);
        doc.commit();
    }
    (start.elapsed(), doc)
}

fn with_save_incremental(trace: &[Patch], every: usize) -> Duration {
    let (mut doc, obj) = project_doc();
    let start = Instant::now();
    let mut n = 0;
    for (i, patch) in trace.iter().enumerate() {
        apply(&mut doc, &obj, patch);
        doc.commit();
        if i % every == 0 {
            n += doc.save_incremental().len();
        }
    }
    assert!(n > 0);
    start.elapsed()
}

fn through_store(trace: &[Patch], dir: &Path) -> (Duration, u64) {
    let store = Store::open(dir).expect("open store");
    let (doc, obj) = project_doc();
    let mut stored: StoredDocument = store
        .create_document("paper", hugme_model::DocumentKind::Project, doc)
        .expect("create");
    let mut pending: VecDeque<Ticket> = VecDeque::new();
    let mut compactions = 0;
    let start = Instant::now();
    for patch in trace {
        apply(stored.doc_mut(), &obj, patch);
        pending.push_back(stored.commit_in_burst(&store));
        if stored.needs_compaction() {
            pending.push_back(stored.compact_in_background(&store));
            compactions += 1;
        }
        // Bound what waits: the UI likewise only shows "saved" once the oldest write is acked.
        while pending.len() > 8192 {
            pending
                .pop_front()
                .expect("nonempty")
                .wait()
                .expect("durable");
        }
    }
    stored.flush(&store);
    for ticket in pending {
        ticket.wait().expect("durable");
    }
    (start.elapsed(), compactions)
}

fn disk_size(dir: &Path) -> u64 {
    ["hugme.sqlite", "hugme.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let trace = load_trace();
    if std::env::args().any(|a| a == "--profile-store") {
        // For `perf record`: only the store path, nothing else in the profile.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("keystrokes/profile");
        let _ = std::fs::remove_dir_all(&dir);
        let (t, c) = through_store(&trace, &dir);
        println!("(b) {:.3} s, {c} compactions", t.as_secs_f64());
        return;
    }
    println!(
        "trace: automerge-paper, {} keystrokes, one commit each; {runs} runs, medians",
        trace.len()
    );
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("keystrokes");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut final_doc = None;
    let mut compactions = 0;
    for run in 0..runs {
        let (t, doc) = in_memory(&trace);
        a.push(t.as_secs_f64());
        final_doc = Some(doc);
        let dir = base.join(format!("run{run}"));
        let _ = std::fs::remove_dir_all(&dir);
        let (t, c) = through_store(&trace, &dir);
        b.push(t.as_secs_f64());
        compactions = c;
    }
    let (a, b) = (median(a), median(b));
    for every in [1, 64] {
        println!(
            "(a') automerge + save_incremental every {every} commits, no store: {:8.3} s",
            with_save_incremental(&trace, every).as_secs_f64()
        );
    }
    println!(
        "(a) automerge alone in memory:        {a:8.3} s  ({:.2} µs/keystroke)",
        a * 1e6 / trace.len() as f64
    );
    println!("(b) through the store, all persisted: {b:8.3} s  ({:.2} µs/keystroke, {compactions} compactions on the way)", b * 1e6 / trace.len() as f64);
    println!("b/a = {:.3}  (target <= 1.3)", b / a);

    // Sizes and reopen, on the store of the last run.
    let dir = base.join(format!("run{}", runs - 1));
    let mut doc = final_doc.expect("one run");
    let t = Instant::now();
    let save = doc.save();
    println!(
        "save() of the final document: {:.4} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let copy = doc.clone();
    println!(
        "clone() of the final document: {:.4} s",
        t.elapsed().as_secs_f64()
    );
    drop(copy);
    let t = Instant::now();
    let copy = doc.save_nocompress();
    println!(
        "save_nocompress() of the final document: {:.4} s, {} bytes",
        t.elapsed().as_secs_f64(),
        copy.len()
    );
    let text_ok = {
        let store = Store::open(&dir).expect("reopen");
        let stored = store.open_document("paper").expect("open doc");
        stored.doc().text(answer_obj(stored.doc())).expect("text")
            == doc.text(answer_obj(&doc)).expect("text")
    };
    assert!(
        text_ok,
        "the store must hold exactly the text automerge alone produced"
    );
    // Write a store that has never compacted: the log of every keystroke.
    let raw_dir = base.join("uncompacted");
    let _ = std::fs::remove_dir_all(&raw_dir);
    {
        let store = Store::open(&raw_dir).expect("open");
        let (d, obj) = project_doc();
        let mut stored = store
            .create_document("paper", hugme_model::DocumentKind::Project, d)
            .expect("create");
        let mut last = None;
        let t = Instant::now();
        for patch in &trace {
            apply(stored.doc_mut(), &obj, patch);
            last = Some(stored.commit_in_burst(&store));
        }
        stored.flush(&store);
        last.expect("changes").wait().expect("durable");
        println!(
            "(b0) through the store, never compacting: {:8.3} s, log rows {}",
            t.elapsed().as_secs_f64(),
            stored.sizes().2
        );
    }
    let before = disk_size(&raw_dir);
    let (reopen_log, load_log) = reopen_vs_load(&raw_dir, runs);
    let compact_start = Instant::now();
    {
        let store = Store::open(&raw_dir).expect("open");
        let mut stored = store.open_document("paper").expect("open doc");
        stored.compact(&store).wait().expect("compacted");
    }
    let compact_time = compact_start.elapsed().as_secs_f64();
    let after = disk_size(&raw_dir);
    let (reopen_snap, load_snap) = reopen_vs_load(&raw_dir, runs);
    println!("automerge save(): {} bytes", save.len());
    println!(
        "on disk before compaction (log of every keystroke): {before} bytes ({:.1}x save())",
        before as f64 / save.len() as f64
    );
    println!("compaction (reopen, save, one transaction, vacuum): {compact_time:.3} s");
    println!(
        "on disk after compaction: {after} bytes ({:.2}x save(); target <= 1.5)",
        after as f64 / save.len() as f64
    );
    println!("reopen, uncompacted: store {reopen_log:.4} s vs AutoCommit::load {load_log:.4} s = {:.3}x (target <= 1.2)", reopen_log / load_log);
    println!("reopen, compacted:   store {reopen_snap:.4} s vs AutoCommit::load {load_snap:.4} s = {:.3}x (target <= 1.2)", reopen_snap / load_snap);
}

/// Median time to open the store and load the document, against `AutoCommit::load` of exactly
/// the bytes the store holds for it.
fn reopen_vs_load(dir: &Path, runs: usize) -> (f64, f64) {
    let bytes = {
        let store = Store::open(dir).expect("open");
        let conn = rusqlite_bytes(dir);
        drop(store);
        conn
    };
    let (mut reopen, mut load) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(3) {
        let t = Instant::now();
        let store = Store::open(dir).expect("open");
        let doc = store.open_document("paper").expect("open doc");
        reopen.push(t.elapsed().as_secs_f64());
        drop((doc, store));
        let t = Instant::now();
        let doc = AutoCommit::load(&bytes).expect("load");
        load.push(t.elapsed().as_secs_f64());
        drop(doc);
    }
    (median(reopen), median(load))
}

/// The snapshot and log of the document exactly as stored, read with plain SQL.
fn rusqlite_bytes(dir: &Path) -> Vec<u8> {
    let conn = rusqlite::Connection::open(dir.join("hugme.sqlite")).expect("sqlite");
    let mut all: Vec<u8> = conn
        .query_row(
            "SELECT snapshot FROM documents WHERE id = 'paper'",
            [],
            |r| r.get(0),
        )
        .expect("snapshot");
    let mut stmt = conn
        .prepare("SELECT bytes FROM changes WHERE document_id = 'paper' ORDER BY seq")
        .expect("sql");
    let rows = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .expect("rows");
    for row in rows {
        all.extend(row.expect("row"));
    }
    all
}
