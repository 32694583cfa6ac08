//! A classroom network on one machine: a namespace per device, each with a veth into a
//! bridge that lives in a namespace of its own. Nothing is added to the host's own network:
//! mDNS and every other packet stay inside the namespaces this test made.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::link::{Harm, Link};

/// The namespaces and bridge of one test; removed when dropped.
pub struct Lan {
    tag: String,
    subnet: u32,
    hosts: usize,
    children: Vec<(usize, Child)>,
    links: Vec<Link>,
}

pub fn ip(args: &[&str]) {
    let out = Command::new("ip")
        .args(args)
        .output()
        .expect("the ip command (iproute2) runs");
    assert!(
        out.status.success(),
        "ip {} failed: {} (these tests need root)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

impl Lan {
    pub fn new(hosts: usize) -> Lan {
        Lan::with_harm(hosts, &[], None)
    }

    /// Like [`Lan::new`], but the hosts in `harmed` send through a poor link (see
    /// [`crate::link`]) instead of a clean cable.
    pub fn with_harm(hosts: usize, harmed: &[usize], harm: Option<Harm>) -> Lan {
        // Tests of one binary run at once: each Lan needs names and a subnet of its own.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pid = std::process::id();
        let tag = format!("hm{}{n}", pid % 10_000);
        let subnet = 1 + (pid + 61 * n) % 250;
        let mut lan = Lan {
            tag,
            subnet,
            hosts,
            children: Vec::new(),
            links: Vec::new(),
        };
        let sw = lan.switch();
        ip(&["netns", "add", &sw]);
        ip(&[
            "-n",
            &sw,
            "link",
            "add",
            "br0",
            "type",
            "bridge",
            "mcast_snooping",
            "0",
        ]);
        ip(&["-n", &sw, "link", "set", "br0", "up"]);
        for i in 0..hosts {
            let ns = lan.ns(i);
            let (outer, inner) = (format!("{}s{i}", lan.tag), lan.dev(i));
            ip(&["netns", "add", &ns]);
            match harm.filter(|_| harmed.contains(&i)) {
                Some(harm) => lan.links.push(Link::new(&ns, &inner, &sw, &outer, harm)),
                None => ip(&[
                    "link", "add", &outer, "netns", &sw, "type", "veth", "peer", "name", &inner,
                    "netns", &ns,
                ]),
            }
            ip(&["-n", &sw, "link", "set", &outer, "master", "br0", "up"]);
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
            ip(&[
                "-n",
                &ns,
                "addr",
                "add",
                &format!("{}/24", lan.ip(i)),
                "dev",
                &inner,
            ]);
            ip(&["-n", &ns, "link", "set", &inner, "up"]);
            ip(&["-n", &ns, "route", "add", "224.0.0.0/4", "dev", &inner]);
        }
        lan
    }

    fn switch(&self) -> String {
        format!("{}sw", self.tag)
    }

    pub fn ns(&self, i: usize) -> String {
        format!("{}n{i}", self.tag)
    }

    /// Host `i`'s network interface (in its namespace).
    pub fn dev(&self, i: usize) -> String {
        format!("{}h{i}", self.tag)
    }

    /// An address of the LAN's range that no host has.
    pub fn spare_ip(&self) -> String {
        format!("10.231.{}.200", self.subnet)
    }

    /// Host `i`'s address (a private test range, only inside the namespaces).
    pub fn ip(&self, i: usize) -> String {
        format!("10.231.{}.{}", self.subnet, i + 2)
    }

    /// Client isolation, as school access points do it: the hosts given can no longer reach
    /// each other (nor hear each other's multicast), only the others.
    pub fn isolate(&self, hosts: &[usize]) {
        for i in hosts {
            self.set_port(*i, ["isolated", "on"]);
        }
    }

    /// The access point drops multicast (many school networks do): no port of the bridge
    /// floods it any more, so mDNS reaches nobody. Unicast is untouched.
    pub fn drop_multicast(&self) {
        for i in 0..self.hosts {
            self.set_port(i, ["mcast_flood", "off"]);
        }
    }

    /// Sets one option of host `i`'s port on the bridge (`bridge link set dev … <option>`).
    fn set_port(&self, i: usize, option: [&str; 2]) {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.switch(),
                "bridge",
                "link",
                "set",
                "dev",
            ])
            .arg(format!("{}s{i}", self.tag))
            .args(option)
            .output()
            .expect("the bridge command runs");
        assert!(
            out.status.success(),
            "bridge port of host {i}, {option:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Pings host `to` from host `from` `count` times: (how many were lost, mean round trip
    /// in ms of those that came back).
    pub fn ping(&self, from: usize, to: usize, count: usize) -> (usize, f64) {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(from),
                "ping",
                "-n",
                "-i",
                "0.2",
                "-W",
                "2",
                "-c",
            ])
            .arg(count.to_string())
            .arg(self.ip(to))
            .output()
            .expect("ping (iputils-ping) runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let times: Vec<f64> = text
            .lines()
            .filter_map(|l| l.split("time=").nth(1))
            .filter_map(|t| t.split_whitespace().next()?.parse().ok())
            .collect();
        assert!(!times.is_empty(), "no ping came back: {text}");
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        (count - times.len(), mean)
    }

    /// Runs `hugme` with `args` on host `i`, logging to `log`; stopped when the Lan drops.
    pub fn spawn(&mut self, i: usize, args: &[&str], log: &Path) {
        self.spawn_program(i, env!("CARGO_BIN_EXE_hugme"), args, &[], log);
    }

    /// Runs any `program` with `args` and environment `vars` on host `i`, logging to `log`;
    /// stopped when the Lan drops.
    pub fn spawn_program(
        &mut self,
        i: usize,
        program: &str,
        args: &[&str],
        vars: &[(&str, &str)],
        log: &Path,
    ) {
        let file = std::fs::File::create(log).expect("a log file");
        let child = Command::new("ip")
            .args(["netns", "exec", &self.ns(i), program])
            .args(args)
            .envs(vars.iter().copied())
            .stdout(file.try_clone().expect("log"))
            .stderr(file)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program} does not start in its namespace: {e}"));
        self.children.push((i, child));
    }

    /// Runs `hugme` with `args` on host `i` to the end: (whether it succeeded, its stdout).
    pub fn try_run(&self, i: usize, args: &[&str]) -> (bool, String) {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns(i), env!("CARGO_BIN_EXE_hugme")])
            .args(args)
            .output()
            .expect("hugme runs in its namespace");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// Runs `hugme` with `args` on host `i` to the end; returns stdout, panics on failure.
    pub fn run(&self, i: usize, args: &[&str]) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.ns(i), env!("CARGO_BIN_EXE_hugme")])
            .args(args)
            .output()
            .expect("hugme runs in its namespace");
        assert!(
            out.status.success(),
            "hugme {args:?} on host {i} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Stops every process started with [`Lan::spawn`].
    pub fn stop_all(&mut self) {
        for (_, child) in &mut self.children {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
        }
        for (_, child) in &mut self.children {
            let _ = child.wait();
        }
        self.children.clear();
    }

    /// Kills what runs on host `i` at once (a power cut, a crash).
    pub fn kill(&mut self, i: usize) {
        for (host, child) in &mut self.children {
            if *host == i {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        self.children.retain(|(host, _)| *host != i);
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        self.stop_all();
        for i in 0..self.hosts {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(i)])
                .status();
        }
        let _ = Command::new("ip")
            .args(["netns", "del", &self.switch()])
            .status();
    }
}
