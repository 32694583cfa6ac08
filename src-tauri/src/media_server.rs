//! Sound and video for the WebView over plain HTTP on loopback: WebKitGTK's media player
//! (GStreamer) cannot read a custom URI scheme at all (tauri-apps/tauri#3725; WebKit bug
//! 146351), so on Linux every `<audio>` and `<video>` of `media://` fails with
//! MEDIA_ERR_SRC_NOT_SUPPORTED. Pictures stay on `media://` (WebKit reads those itself).
//!
//! `http://127.0.0.1:<port>/<token>/<hash>`: bound to loopback only, and a random 128-bit
//! token that the page gets from the app (`media_base`) is the first part of every path, so
//! no other program on the tablet, and no page, can read a pupil's recordings by guessing.
//! Answers are [`crate::media_protocol`]'s (type sniffed, ranges, at most 8 MiB per answer),
//! streamed from the file, one request per connection (`Connection: close`). Requests are
//! bounded: 8 KiB of head, 5 s to send all of it, 32 connections at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hugme_app::App;
use tauri::http::StatusCode;

use crate::device::Device;

use crate::media_protocol::answer;

/// Connections served at once; more wait in the kernel's queue.
const AT_ONCE: usize = 32;
/// Longest request head read.
const MAX_HEAD: u64 = 8 << 10;
/// Longest time to send a request head.
const HEAD_TIME: Duration = Duration::from_secs(5);

/// A running server: where the page finds media.
#[derive(Debug, Clone)]
pub struct MediaServer {
    /// `http://127.0.0.1:<port>/<token>/`.
    pub base: String,
}

impl MediaServer {
    /// Starts serving the blobs of the class `device` shows (and no other's) on a free
    /// loopback port.
    ///
    /// # Errors
    /// The port could not be bound.
    pub fn start(device: Device) -> std::io::Result<MediaServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let token = uuid::Uuid::new_v4().simple().to_string();
        let base = format!("http://127.0.0.1:{port}/{token}/");
        let busy = Arc::new(AtomicUsize::new(0));
        std::thread::Builder::new()
            .name("hugme-media-http".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    if busy.fetch_add(1, Ordering::AcqRel) >= AT_ONCE {
                        busy.fetch_sub(1, Ordering::AcqRel);
                        continue; // dropped: the element asks again
                    }
                    let (app, token, theirs) = (device.app(), token.clone(), busy.clone());
                    let spawned = std::thread::Builder::new()
                        .name("hugme-media-answer".into())
                        .spawn(move || {
                            let _ = serve(&app, &token, stream);
                            theirs.fetch_sub(1, Ordering::AcqRel);
                        });
                    if spawned.is_err() {
                        busy.fetch_sub(1, Ordering::AcqRel);
                    }
                }
            })?;
        Ok(MediaServer { base })
    }
}

/// One request: `GET` or `HEAD /<token>/<hash>` with an optional `Range`.
fn serve(app: &Arc<App>, token: &str, stream: TcpStream) -> std::io::Result<()> {
    // The whole head within HEAD_TIME (a byte every few seconds must not hold a slot for hours).
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let head = Deadline {
        stream: &stream,
        by: Instant::now() + HEAD_TIME,
    };
    let mut reader = BufReader::new(head.take(MAX_HEAD));
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut range = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_owned());
            }
        }
    }
    let mut out = &stream;
    let hash = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(token))
        .and_then(|p| p.strip_prefix('/'));
    let (Some(hash), true) = (hash, method == "GET" || method == "HEAD") else {
        return fail(&mut out, StatusCode::NOT_FOUND, "not here");
    };
    let mut answer = match answer(app, hash, range.as_deref()) {
        Ok(answer) => answer,
        Err((status, why)) => return fail(&mut out, status, &why),
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status.as_u16(),
        answer.status.canonical_reason().unwrap_or(""),
        answer.body_len()
    );
    for (name, value) in answer.headers() {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    if method == "GET" {
        let body_len = answer.body_len();
        std::io::copy(&mut (&mut answer.file).take(body_len), &mut out)?;
    }
    out.flush()
}

/// Reads from the connection only until `by`: each read waits at most for what is left.
struct Deadline<'a> {
    stream: &'a TcpStream,
    by: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.by.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request head took too long",
            ));
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

fn fail(out: &mut &TcpStream, status: StatusCode, why: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{why}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        why.len()
    );
    out.write_all(head.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str, range: Option<&str>) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut stream = TcpStream::connect(host).unwrap();
        let mut request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\n");
        if let Some(range) = range {
            request.push_str(&format!("Range: {range}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut all = Vec::new();
        stream.read_to_end(&mut all).unwrap();
        let split = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(all[..split].to_vec()).unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(a, b)| (a.to_ascii_lowercase(), b.to_owned()))
            .collect();
        (status, headers, all[split + 4..].to_vec())
    }

    /// A server for a data folder holding one 4 KiB WAV: (folder, server, hash, bytes).
    fn serving_a_sound() -> (tempfile::TempDir, MediaServer, String, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(App::open(dir.path()).unwrap());
        let mut wav = b"RIFF\x24\x10\0\0WAVEfmt ".to_vec();
        wav.resize(4096, 7);
        let hash = app.store().put_blob(&wav).unwrap().hash;
        let device = Device::new(dir.path().to_owned(), vec![app], false, |_, app| {
            hugme_node::NetworkSide::start(
                Arc::clone(app),
                hugme_node::neighbours::Reach {
                    discovery: false,
                    fallbacks: false,
                    typed: Vec::new(),
                },
                None,
            )
        });
        (dir, MediaServer::start(device).unwrap(), hash, wav)
    }

    #[test]
    fn slow_clients_holding_every_slot_are_let_go_and_the_player_gets_its_answer() {
        let (_dir, server, hash, _) = serving_a_sound();
        let host = server
            .base
            .strip_prefix("http://")
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        // Every slot taken by a client that sends a byte now and then and never finishes.
        let slow: Vec<TcpStream> = (0..AT_ONCE)
            .map(|_| {
                let mut s = TcpStream::connect(&host).unwrap();
                s.write_all(b"GET /").unwrap();
                s
            })
            .collect();
        let dripping = std::thread::spawn(move || {
            for _ in 0..40 {
                for mut s in &slow {
                    let _ = s.write_all(b"x");
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        let start = Instant::now();
        let url = format!("{}{hash}", server.base);
        loop {
            let answered = std::panic::catch_unwind(|| get(&url, None));
            if let Ok((200, _, body)) = answered {
                assert_eq!(body.len(), 4096);
                break;
            }
            assert!(
                start.elapsed() < HEAD_TIME * 2,
                "the slow clients kept every slot"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        drop(dripping);
    }

    #[test]
    fn a_recording_is_served_by_ranges_only_with_the_token() {
        let (_dir, server, hash, wav) = serving_a_sound();
        let (status, headers, body) = get(&format!("{}{hash}", server.base), None);
        assert_eq!((status, body.len()), (200, 4096));
        assert!(
            headers.contains(&("content-type".into(), "audio/wav".into())),
            "{headers:?}"
        );
        let (status, headers, body) = get(&format!("{}{hash}", server.base), Some("bytes=100-199"));
        assert_eq!((status, body.as_slice()), (206, &wav[100..200]));
        assert!(headers.contains(&("content-range".into(), "bytes 100-199/4096".into())));
        // Without the token, or with another, nothing.
        let port_only = server
            .base
            .rsplit_once('/')
            .unwrap()
            .0
            .rsplit_once('/')
            .unwrap()
            .0;
        let (status, _, body) = get(&format!("{port_only}/{hash}"), None);
        assert_eq!(status, 404);
        assert!(!body.windows(4).any(|w| w == b"RIFF"));
        let (status, _, _) = get(&format!("{port_only}/{}/{hash}", "0".repeat(32)), None);
        assert_eq!(status, 404);
    }
}
