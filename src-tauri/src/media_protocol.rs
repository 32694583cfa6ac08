//! `media://localhost/<hash>`: the WebView reads photos, drawings, sound and video straight
//! from the store's blob files, by hash, without passing the bytes through the IPC.
//!
//! The type is sniffed from the file's first bytes (never taken from the request), and a
//! `Range` request gets a 206 with only that part, which audio and video elements rely on. No
//! answer reads more than 8 MiB of a sound or video, or a file over 64 MiB whole ([`plan`]):
//! a long video plays a range at a time, whatever the page asks.

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use hugme_app::media::MediaFile;
use hugme_app::App;
use tauri::http::{header, Request, Response, StatusCode};

/// Answers one request.
pub fn respond(app: &Arc<App>, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    match serve(app, request) {
        Ok(response) => response,
        Err((status, why)) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(why.into_bytes())
            .unwrap_or_default(),
    }
}

pub(crate) type Failure = (StatusCode, String);

/// What to send for one request: status, type, the byte span of the file and its length, and
/// the open file (read by the caller, a span at a time).
pub(crate) struct Answer {
    pub status: StatusCode,
    pub mime: &'static str,
    pub start: u64,
    pub end: u64,
    pub len: u64,
    pub file: std::fs::File,
}

impl Answer {
    /// The response's headers (type, ranges, caching), `Content-Range` for a 206.
    pub(crate) fn headers(&self) -> Vec<(header::HeaderName, String)> {
        let mut out = vec![
            (header::CONTENT_TYPE, self.mime.to_owned()),
            (header::ACCEPT_RANGES, "bytes".to_owned()),
            // A hash names its bytes forever.
            (
                header::CACHE_CONTROL,
                "max-age=31536000, immutable".to_owned(),
            ),
        ];
        if self.status == StatusCode::PARTIAL_CONTENT {
            out.push((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{}", self.start, self.end, self.len),
            ));
        }
        out
    }

    /// Bytes of the body.
    pub(crate) fn body_len(&self) -> u64 {
        if self.len == 0 {
            0
        } else {
            self.end - self.start + 1
        }
    }
}

/// Plans the answer to a request for blob `hash` with this `Range` header, if any.
pub(crate) fn answer(app: &Arc<App>, hash: &str, range: Option<&str>) -> Result<Answer, Failure> {
    let MediaFile {
        mut file,
        len,
        mime,
    } = app
        .open_media(hash)
        .map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("{hash}: not here")))?;
    let range = range.and_then(|v| parse_range(v, len));
    let (status, start, end) = plan(range, len, mime)?;
    file.seek(SeekFrom::Start(start)).map_err(internal)?;
    Ok(Answer {
        status,
        mime,
        start,
        end,
        len,
        file,
    })
}

fn serve(app: &Arc<App>, request: &Request<Vec<u8>>) -> Result<Response<Vec<u8>>, Failure> {
    let hash = request.uri().path().trim_start_matches('/');
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    let mut answer = answer(app, hash, range)?;
    let mut body = vec![0; answer.body_len() as usize];
    answer.file.read_exact(&mut body).map_err(internal)?;
    let mut response = Response::builder().status(answer.status);
    for (name, value) in answer.headers() {
        response = response.header(name, value);
    }
    response.body(body).map_err(internal)
}

/// Most bytes read for one answer: a longer sound or video is read as it plays, a range at a
/// time; a picture is never this big (imports make them far smaller).
const MOST: u64 = 8 << 20;
/// The largest file answered whole when no range is asked (a picture a pupil's tools made
/// huge must not be read into the teacher's memory).
const WHOLE: u64 = 64 << 20;

/// What to answer: (status, first byte, last byte). With no range asked, sound and video
/// longer than [`MOST`] get their first part as a 206 (the element asks on by ranges), other
/// files are read whole up to [`WHOLE`] and refused above it. Never a whole-file read of
/// something long.
fn plan(
    range: Option<(u64, u64)>,
    len: u64,
    mime: &str,
) -> Result<(StatusCode, u64, u64), Failure> {
    if let Some((start, end)) = range {
        return Ok((StatusCode::PARTIAL_CONTENT, start, end));
    }
    let streamed = mime.starts_with("video/") || mime.starts_with("audio/");
    if streamed && len > MOST {
        return Ok((StatusCode::PARTIAL_CONTENT, 0, MOST - 1));
    }
    if len > WHOLE {
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{len} bytes: too large to show whole"),
        ));
    }
    Ok((StatusCode::OK, 0, len.saturating_sub(1)))
}

fn internal(e: impl std::fmt::Display) -> Failure {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// The first range of a `bytes=` header, clamped to the file; at most 8 MiB at a time, so
/// a long video is read as it plays.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.strip_prefix("bytes=")?.split(',').next()?.trim();
    let (a, b) = spec.split_once('-')?;
    if len == 0 {
        return None;
    }
    let (start, end) = if a.is_empty() {
        let suffix: u64 = b.parse().ok()?;
        (len.saturating_sub(suffix), len - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len - 1
        } else {
            b.parse().ok()?
        };
        (start, end.min(len - 1))
    };
    (start <= end).then(|| (start, end.min(start + MOST - 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data folder holding one blob of `len` bytes that starts with `head`.
    fn folder_with(head: &[u8], len: usize) -> (tempfile::TempDir, Arc<App>, String) {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(App::open(dir.path()).unwrap());
        let mut bytes = head.to_vec();
        bytes.resize(len, 0);
        let hash = app.store().put_blob(&bytes).unwrap().hash;
        (dir, app, hash)
    }

    fn ask(app: &Arc<App>, hash: &str, range: Option<&str>) -> Response<Vec<u8>> {
        let mut request = Request::builder().uri(format!("media://localhost/{hash}"));
        if let Some(range) = range {
            request = request.header(header::RANGE, range);
        }
        respond(app, &request.body(Vec::new()).unwrap())
    }

    #[test]
    fn a_long_video_asked_whole_is_answered_a_part_at_a_time() {
        // 40 MiB of an MP4 (its `ftyp` box, then nothing): more than one answer may read.
        let (_dir, app, hash) = folder_with(b"\0\0\0\x18ftypisom", 40 << 20);
        let whole = ask(&app, &hash, None);
        assert_eq!(whole.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(whole.body().len() as u64, MOST);
        assert_eq!(
            whole.headers()[header::CONTENT_RANGE],
            format!("bytes 0-{}/{}", MOST - 1, 40 << 20)
        );
        let next = ask(&app, &hash, Some(&format!("bytes={MOST}-")));
        assert_eq!(next.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(next.body().len() as u64, MOST);
        // A small file is answered whole; a huge one that is not sound or video is refused.
        let (_small, app, hash) = folder_with(b"\xFF\xD8\xFF", 1000);
        let small = ask(&app, &hash, None);
        assert_eq!((small.status(), small.body().len()), (StatusCode::OK, 1000));
        let (_huge, app, hash) = folder_with(b"\xFF\xD8\xFF", (WHOLE + 1) as usize);
        assert_eq!(
            ask(&app, &hash, None).status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }

    #[test]
    fn ranges_are_clamped_to_the_file() {
        assert_eq!(parse_range("bytes=0-", 10), Some((0, 9)));
        assert_eq!(parse_range("bytes=2-4", 10), Some((2, 4)));
        assert_eq!(parse_range("bytes=5-99", 10), Some((5, 9)));
        assert_eq!(parse_range("bytes=-3", 10), Some((7, 9)));
        assert_eq!(parse_range("bytes=12-", 10), None);
        assert_eq!(parse_range("lines=1-2", 10), None);
        assert_eq!(parse_range("bytes=0-", 100 << 20), Some((0, (8 << 20) - 1)));
    }
}
