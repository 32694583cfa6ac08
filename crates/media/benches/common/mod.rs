//! What the media benches share: a process's memory from /proc, and milliseconds.

use std::time::Duration;

/// A field of this process's /proc/self/status in KiB (`VmHWM:`, the peak resident size).
pub fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("the key in /proc/self/status")
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
