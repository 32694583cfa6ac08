//! A poor network link, made in user space: this machine's kernel has no `netem`, so a host's
//! cable to the bridge becomes two TAP devices (one in the host's namespace, one in the
//! switch's) with threads copying Ethernet frames between them. Frames the host sends are
//! dropped with a given probability and the rest delayed by a fixed time, as
//! `tc qdisc add dev … root netem loss 20% delay 100ms` does on the host's interface; frames
//! to the host pass unharmed. Multicast (mDNS) crosses it like any other frame.

use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sched::CloneFlags;
use rand::Rng;
use tun_tap::{Iface, Mode};

/// How a host's frames are harmed on their way to the bridge.
#[derive(Clone, Copy, Debug)]
pub struct Harm {
    pub loss: f64,
    pub delay: Duration,
}

/// One host's cable: the copying threads, stopped (and the devices gone) when dropped.
pub struct Link {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Makes a TAP device called `name` in the namespace `ns` (by its `ip netns` name). The
/// device lives as long as the returned handle.
fn tap_in(ns: &str, name: &str) -> Iface {
    let ns_file = File::open(format!("/run/netns/{ns}"))
        .unwrap_or_else(|e| panic!("namespace {ns} exists: {e}"));
    let name = name.to_owned();
    // A thread of its own enters the namespace, so the test's threads stay where they are;
    // the device stays in the namespace it was made in.
    std::thread::spawn(move || {
        nix::sched::setns(&ns_file, CloneFlags::CLONE_NEWNET).expect("entering the namespace");
        let tap = Iface::without_packet_info(&name, Mode::Tap).expect("a TAP device");
        tap.set_non_blocking().expect("a non-blocking TAP");
        tap
    })
    .join()
    .expect("the TAP thread")
}

impl Link {
    /// Connects `host_dev` in namespace `host_ns` to `switch_dev` in `switch_ns` (both made
    /// here; the caller gives them addresses and puts the switch's end on the bridge).
    pub fn new(
        host_ns: &str,
        host_dev: &str,
        switch_ns: &str,
        switch_dev: &str,
        harm: Harm,
    ) -> Link {
        let host = Arc::new(tap_in(host_ns, host_dev));
        let switch = Arc::new(tap_in(switch_ns, switch_dev));
        let stop = Arc::new(AtomicBool::new(false));
        let (delayed_tx, delayed_rx) = mpsc::channel::<(Instant, Vec<u8>)>();
        let mut threads = Vec::new();
        // From the host: lose some, delay the rest. One queue with one fixed delay keeps the
        // frames in order, as netem's delay without jitter does.
        threads.push(pump(host.clone(), stop.clone(), move |frame| {
            if rand::rng().random_bool(harm.loss) {
                return;
            }
            let _ = delayed_tx.send((Instant::now() + harm.delay, frame.to_vec()));
        }));
        {
            let (switch, stop) = (switch.clone(), stop.clone());
            threads.push(std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Ok((due, frame)) = delayed_rx.recv_timeout(Duration::from_millis(50))
                    else {
                        continue;
                    };
                    std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    let _ = switch.send(&frame);
                }
            }));
        }
        // To the host: as it comes.
        threads.push(pump(switch, stop.clone(), move |frame| {
            let _ = host.send(frame);
        }));
        Link { stop, threads }
    }
}

/// Reads frames from `tap` until stopped, handing each to `each`.
fn pump(
    tap: Arc<Iface>,
    stop: Arc<AtomicBool>,
    mut each: impl FnMut(&[u8]) + Send + 'static,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        while !stop.load(Ordering::Relaxed) {
            match tap.recv(&mut buf) {
                Ok(n) => each(&buf[..n]),
                // Non-blocking, so that a stop is seen: nothing waiting, look again shortly.
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                // The device went away (its namespace was deleted): the link is over.
                Err(_) => return,
            }
        }
    })
}

impl Drop for Link {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
